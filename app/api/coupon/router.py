"""Coupons: create (every reward and acquisition type), list, detail, close."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from app.api.coupon.schemas import CouponCreateResponse, CouponListResponse, CouponResponse
from app.api.coupon.service import CouponService, coupon_response
from app.api.deps import ChannelDep
from app.deps import UowDep

router = APIRouter(tags=["messaging-api"])


async def get_coupon_service(uow: UowDep, channel: ChannelDep) -> CouponService:
    return CouponService(uow, channel)


CouponsDep = Annotated[CouponService, Depends(get_coupon_service)]


@router.post("/v2/bot/coupon", response_model=CouponCreateResponse)
async def create_coupon(
    body: Annotated[dict[str, Any], Body()], coupons: CouponsDep
) -> CouponCreateResponse:
    coupon = await coupons.create(body)
    return CouponCreateResponse(coupon_id=coupon.coupon_id)


@router.get("/v2/bot/coupon", response_model=CouponListResponse, response_model_exclude_none=True)
async def list_coupon(
    coupons: CouponsDep,
    status: Annotated[list[str] | None, Query()] = None,
    start: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CouponListResponse:
    """The channel's coupons, newest first; `status` (repeatable) filters, `next` continues."""
    items, next_token = await coupons.page(status, start, limit)
    return CouponListResponse(items=items, next=next_token)


@router.get(
    "/v2/bot/coupon/{couponId}", response_model=CouponResponse, response_model_exclude_none=True
)
async def get_coupon_detail(couponId: str, coupons: CouponsDep) -> CouponResponse:
    return coupon_response(await coupons.get(couponId))


@router.put("/v2/bot/coupon/{couponId}/close")
async def close_coupon(couponId: str, coupons: CouponsDep) -> dict[str, Any]:
    """404 for a coupon the channel does not have, 410 for one already closed."""
    await coupons.close(couponId)
    return {}
