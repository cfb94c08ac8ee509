"""A lottery's figures as the Official Account Manager shows them: the win probability, the
most winners and the winners so far; draws stop winning at the maximum."""

from linebot.v3.messaging import LotteryAcquisitionConditionRequest

from app.kit.ids import IdFactory
from tests.control.test_coupons import _acquire, _create
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer


class TestLotteryFigures:
    def test_winners_stop_at_the_maximum_and_the_figures_count_every_draw(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        users = [control.user(f"User {i}") for i in range(6)]
        server.services.ids = IdFactory(11)
        coupon_id = _create(
            server,
            channel,
            acquisition_condition=LotteryAcquisitionConditionRequest(
                lottery_probability=99, max_acquire_count=4
            ),
        )
        path = f"/_kizuna/channels/{channel.channel_id}/coupons/{coupon_id}/lottery"
        before = control.http.get(path).json()
        assert before == {
            "couponId": coupon_id,
            "lotteryProbability": 99,
            "maxWinners": 4,
            "winners": 0,
            "losers": 0,
            "draws": 0,
            "remainingWinners": 4,
        }
        outcomes = [_acquire(control, channel, user, coupon_id).json()["outcome"] for user in users]
        assert outcomes.count("acquired") == 4 and outcomes[-1] == "lost"
        after = control.http.get(path).json()
        assert (after["winners"], after["losers"], after["draws"]) == (4, 2, 6)
        assert after["remainingWinners"] == 0

    def test_the_probability_decides_draws_and_a_normal_coupon_has_no_lottery(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        users = [control.user(f"User {i}") for i in range(30)]
        server.services.ids = IdFactory(5)
        rare = _create(
            server,
            channel,
            acquisition_condition=LotteryAcquisitionConditionRequest(
                lottery_probability=1, max_acquire_count=-1
            ),
        )
        outcomes = [_acquire(control, channel, user, rare).json()["outcome"] for user in users]
        figures = control.http.get(
            f"/_kizuna/channels/{channel.channel_id}/coupons/{rare}/lottery"
        ).json()
        assert figures["winners"] == outcomes.count("acquired") <= 3
        # Every draw is a win or a loss, counted once each.
        assert figures["losers"] == outcomes.count("lost") == len(users) - figures["winners"]
        assert figures["draws"] == len(users) and "remainingWinners" not in figures
        assert figures["maxWinners"] == -1
        normal = _create(server, channel)
        refused = control.http.get(
            f"/_kizuna/channels/{channel.channel_id}/coupons/{normal}/lottery"
        )
        assert refused.status_code == 409
