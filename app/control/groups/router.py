from fastapi import APIRouter

router = APIRouter(tags=["control: groups"])
