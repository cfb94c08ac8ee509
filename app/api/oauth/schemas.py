from pydantic import BaseModel


class ShortLivedTokenResponse(BaseModel):
    access_token: str
    expires_in: int
    token_type: str = "Bearer"


class JwtTokenResponse(BaseModel):
    access_token: str
    expires_in: int
    token_type: str = "Bearer"
    key_id: str


class StatelessTokenResponse(BaseModel):
    access_token: str
    expires_in: int
    token_type: str = "Bearer"


class KeyIdsResponse(BaseModel):
    kids: list[str]


class VerifyResponse(BaseModel):
    client_id: str
    expires_in: int
    scope: str
