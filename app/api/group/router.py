from fastapi import APIRouter

router = APIRouter(tags=["messaging-api"])
