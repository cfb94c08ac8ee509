"""Surveys: defined, sent as a message (within the quota), answered by their recipients while
open, aggregated; the satisfaction survey (NPS 0-10) outside the quota, once per 90 days."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.sdk import call_sync
from tests.support.statements import counted, statements

JST = ZoneInfo("Asia/Tokyo")
QUESTIONS = [
    {"type": "single", "text": "How did you hear of us?", "options": ["Friend", "Ad", "Store"]},
    {"type": "multiple", "text": "What do you buy?", "options": ["Bread", "Cake", "Coffee"]},
    {"type": "rating", "text": "Rate the staff", "scale": 5},
    {"type": "text", "text": "Anything else?", "required": False},
]


def _surveys(channel: ChannelInfo, rest: str = "") -> str:
    return f"/_kizuna/channels/{channel.channel_id}/surveys{rest}"


def _answer(
    control: Control, channel: ChannelInfo, user_id: str, survey_id: str, answers: list[Any]
) -> httpx.Response:
    return control.http.post(
        f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/surveys/{survey_id}/answers",
        json={"answers": answers},
    )


def _friends(control: Control, channel: ChannelInfo, *names: str) -> list[str]:
    users = [control.user(name) for name in names]
    for user in users:
        control.follow(channel, user)
    return users


def _concurrently(server: LiveServer, path: str, body: dict[str, Any], times: int) -> Counter[int]:
    """The status codes of `times` POSTs of `body` to `path` made at once."""

    def post(_: int) -> int:
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            return client.post(path, json=body).status_code

    with ThreadPoolExecutor(times) as pool:
        return Counter(pool.map(post, range(times)))


def _usage(server: LiveServer, channel: ChannelInfo) -> int:
    usage = call_sync(
        server.base_url, channel.access_token, lambda api: api.get_message_quota_consumption()
    )
    return int(usage.total_usage)


class TestSurveys:
    def test_recipients_answer_and_results_are_aggregated(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice, bob, carol = _friends(control, channel, "Alice", "Bob", "Carol")
        created = control.http.post(
            _surveys(channel), json={"title": "Our bakery", "questions": QUESTIONS}
        )
        assert created.status_code == 201, created.text
        survey = created.json()
        assert survey["open"] is False and survey["questions"][2]["scale"] == 5
        survey_id = survey["surveyId"]
        assert _answer(control, channel, alice, survey_id, [0, [0], 5, None]).status_code == 409

        sent = control.http.post(_surveys(channel, f"/{survey_id}/send"), json={"to": [alice, bob]})
        assert sent.status_code == 200, sent.text
        assert sent.json()["open"] is True and sent.json()["requestId"]
        control.wait_for_jobs()
        carried = control.inbox(channel, alice)[-1]
        assert carried["via"] == "multicast"
        assert survey_id in carried["message"]["template"]["actions"][0]["uri"]
        assert _usage(server, channel) == 2  # a survey is a message like any

        assert (
            _answer(control, channel, alice, survey_id, [0, [0, 2], 5, "Lovely"]).status_code == 201
        )
        assert _answer(control, channel, bob, survey_id, [2, [2], 3, None]).status_code == 201
        again = _answer(control, channel, bob, survey_id, [2, [2], 3, None])
        assert again.status_code == 409
        assert _answer(control, channel, carol, survey_id, [0, [0], 1, None]).status_code == 409

        results = control.http.get(_surveys(channel, f"/{survey_id}/results")).json()
        assert results["recipients"] == 2 and results["respondents"] == 2
        single, multiple, rating, text = results["questions"]
        assert single["optionCounts"] == [1, 0, 1]
        assert multiple["optionCounts"] == [1, 0, 2]
        assert rating["scoreCounts"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
        assert rating["average"] == 4.0
        assert text["texts"] == ["Lovely"] and text["answered"] == 1

        resent = control.http.post(_surveys(channel, f"/{survey_id}/send"), json={})
        assert resent.status_code == 409

    def test_bad_answers_name_the_question_and_closed_surveys_refuse(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        (alice,) = _friends(control, channel, "Alice")
        survey_id = control.http.post(
            _surveys(channel), json={"title": "Quick", "questions": QUESTIONS}
        ).json()["surveyId"]
        control.http.post(_surveys(channel, f"/{survey_id}/send"), json={"days": 1})
        control.wait_for_jobs()
        assert control.inbox(channel, alice)[-1]["via"] == "broadcast"
        bad = _answer(control, channel, alice, survey_id, [3, [1, 1], 6, ""])
        assert bad.status_code == 400
        assert [d["property"] for d in bad.json()["details"]] == [
            "answers[0]",
            "answers[1]",
            "answers[2]",
            "answers[3]",
        ]
        short = _answer(control, channel, alice, survey_id, [0])
        assert short.status_code == 400 and short.json()["details"][0]["property"] == "answers"
        server.services.clock.advance(timedelta(days=1, seconds=1))
        assert _answer(control, channel, alice, survey_id, [0, [0], 1, None]).status_code == 409

    def test_concurrent_sends_send_once(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        (alice,) = _friends(control, channel, "Alice")
        survey_id = control.http.post(
            _surveys(channel), json={"title": "Once", "questions": QUESTIONS}
        ).json()["surveyId"]
        codes = _concurrently(server, _surveys(channel, f"/{survey_id}/send"), {}, 6)
        assert codes == Counter({200: 1, 409: 5})
        control.wait_for_jobs()
        assert [item["via"] for item in control.inbox(channel, alice)] == ["broadcast"]
        assert _usage(server, channel) == 1

    def test_definitions_are_checked(self, control: Control, channel: ChannelInfo) -> None:
        no_options = control.http.post(
            _surveys(channel),
            json={"title": "T", "questions": [{"type": "single", "text": "Pick"}]},
        )
        assert no_options.status_code == 400
        assert no_options.json()["details"][0]["property"].startswith("questions[0]")
        assert (
            control.http.post(_surveys(channel), json={"title": "T", "questions": []}).status_code
            == 400
        )


class TestSatisfactionSurvey:
    def test_nps_outside_the_quota_and_once_per_90_days(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        control.http.put(
            "/_kizuna/clock", json={"now": datetime(2026, 12, 1, 9, tzinfo=JST).isoformat()}
        )
        users = _friends(control, channel, *[f"Friend {n}" for n in range(5)])
        control.quota(channel, "limited", 0)
        path = f"/_kizuna/channels/{channel.channel_id}/satisfaction-surveys"
        started = control.http.post(path, json={"days": 7})
        assert started.status_code == 201, started.text
        survey = started.json()
        assert survey["kind"] == "satisfaction" and survey["open"] is True
        assert control.inbox(channel, users[0])[-1]["via"] == "satisfaction"
        assert _usage(server, channel) == 0

        for user, score in zip(users, [10, 9, 8, 3, 0], strict=True):
            assert _answer(control, channel, user, survey["surveyId"], [score]).status_code == 201
        out_of_range = control.http.post(path, json={})
        assert out_of_range.status_code == 409  # still open, let alone 90 days after

        listed = control.http.get(path).json()
        (result,) = listed["surveys"]
        assert result["nps"] == 0.0  # 2 promoters, 2 detractors of 5
        assert result["questions"][0]["scoreCounts"]["10"] == 1 and result["recipients"] == 5
        closes = datetime.fromisoformat(survey["closesAt"])
        assert datetime.fromisoformat(listed["nextAvailableAt"]) == closes + timedelta(days=90)

        control.http.put("/_kizuna/clock", json={"now": (closes + timedelta(days=89)).isoformat()})
        assert control.http.post(path, json={}).status_code == 409
        control.http.put("/_kizuna/clock", json={"now": (closes + timedelta(days=90)).isoformat()})
        assert control.http.post(path, json={}).status_code == 201
        assert "nextAvailableAt" in control.http.get(path).json()

    def test_concurrent_starts_start_one(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        (alice,) = _friends(control, channel, "Alice")
        path = f"/_kizuna/channels/{channel.channel_id}/satisfaction-surveys"
        assert _concurrently(server, path, {"days": 1}, 6) == Counter({201: 1, 409: 5})
        assert len(control.http.get(path).json()["surveys"]) == 1
        control.wait_for_jobs()
        assert [item["via"] for item in control.inbox(channel, alice)] == ["satisfaction"]

    def test_scores_are_0_to_10(self, control: Control, channel: ChannelInfo) -> None:
        (alice,) = _friends(control, channel, "Alice")
        path = f"/_kizuna/channels/{channel.channel_id}/satisfaction-surveys"
        survey_id = control.http.post(path, json={}).json()["surveyId"]
        for bad in (11, -1, "7", True):
            refused = _answer(control, channel, alice, survey_id, [bad])
            assert refused.status_code == 400
            assert refused.json()["details"][0]["property"] == "answers[0]"


MANY_QUESTIONS = [
    {"type": "single", "text": "Where?", "options": ["Shop", "Web", "App"]},
    {"type": "multiple", "text": "What?", "options": ["Bread", "Cake", "Coffee", "Tea"]},
    {"type": "rating", "text": "Staff?", "scale": 10},
    {"type": "single", "text": "Again?", "options": ["Yes", "No"], "required": False},
    {"type": "multiple", "text": "Extras?", "options": ["Bag", "Card"], "required": False},
    {"type": "rating", "text": "Price?", "scale": 3, "required": False},
    {"type": "text", "text": "Anything else?", "required": False},
    {"type": "text", "text": "Your town?", "required": False},
]


def _sent_survey(control: Control, channel: ChannelInfo, title: str, to: list[str]) -> str:
    created = control.http.post(
        _surveys(channel), json={"title": title, "questions": MANY_QUESTIONS}
    )
    assert created.status_code == 201, created.text
    survey_id = str(created.json()["surveyId"])
    sent = control.http.post(_surveys(channel, f"/{survey_id}/send"), json={"to": to})
    assert sent.status_code == 200, sent.text
    return survey_id


class TestResults:
    def test_every_question_counted_among_several_surveys(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        users = _friends(control, channel, *[f"Friend {n}" for n in range(5)])
        survey_id = _sent_survey(control, channel, "Ours", users)
        other_id = _sent_survey(control, channel, "Other", users)
        control.wait_for_jobs()
        answers = [
            [0, [0, 2], 10, 0, [1], 3, "Lovely café", "大阪"],
            [2, [2], 7, None, None, None, None, "Kyoto"],
            [0, [3, 2, 0], 7, 1, [0, 1], 1, "Lovely café", None],
            [1, [1], 1, None, None, None, "  spaces kept  ", None],
        ]
        for user, given in zip(users, answers, strict=False):
            assert _answer(control, channel, user, survey_id, given).status_code == 201
        # Another survey's answers are not counted in this one.
        other = [1, [1], 2, 1, [1], 2, "Other", "Other"]
        assert _answer(control, channel, users[4], other_id, other).status_code == 201

        results = control.http.get(_surveys(channel, f"/{survey_id}/results")).json()
        assert (results["recipients"], results["respondents"]) == (5, 4)
        where, what, staff, again, extras, price, anything, town = results["questions"]
        assert (where["answered"], where["optionCounts"]) == (4, [2, 1, 1])
        assert (what["answered"], what["optionCounts"]) == (4, [2, 1, 3, 1])
        assert staff["answered"] == 4 and staff["average"] == 6.25
        assert staff["scoreCounts"] == {str(s): {1: 1, 7: 2, 10: 1}.get(s, 0) for s in range(1, 11)}
        assert (again["answered"], again["optionCounts"]) == (2, [1, 1])
        assert (extras["answered"], extras["optionCounts"]) == (2, [1, 2])
        assert (price["answered"], price["average"]) == (2, 2.0)
        assert price["scoreCounts"] == {"1": 1, "2": 0, "3": 1}
        assert anything["answered"] == 3
        assert anything["texts"] == ["Lovely café", "Lovely café", "  spaces kept  "]
        assert (town["answered"], town["texts"]) == (2, ["大阪", "Kyoto"])

        unanswered = _sent_survey(control, channel, "Nobody", users)
        empty = control.http.get(_surveys(channel, f"/{unanswered}/results")).json()
        assert empty["respondents"] == 0
        assert [q["answered"] for q in empty["questions"]] == [0] * len(MANY_QUESTIONS)
        assert "average" not in empty["questions"][2]
        assert empty["questions"][6]["texts"] == []

    def test_satisfaction_surveys_each_counted(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        control.http.put(
            "/_kizuna/clock", json={"now": datetime(2026, 12, 1, 9, tzinfo=JST).isoformat()}
        )
        users = _friends(control, channel, *[f"Friend {n}" for n in range(4)])
        path = f"/_kizuna/channels/{channel.channel_id}/satisfaction-surveys"
        rounds = [[10, 10, 2, 6], [9, 7], []]
        for scores in rounds:
            survey = control.http.post(path, json={"days": 1})
            assert survey.status_code == 201, survey.text
            for user, score in zip(users, scores, strict=False):
                answered = _answer(control, channel, user, survey.json()["surveyId"], [score])
                assert answered.status_code == 201
            closes = datetime.fromisoformat(survey.json()["closesAt"])
            control.http.put(
                "/_kizuna/clock", json={"now": (closes + timedelta(days=90)).isoformat()}
            )
        listed = control.http.get(path).json()["surveys"]
        assert [s["respondents"] for s in listed] == [4, 2, 0]
        assert [s.get("nps") for s in listed] == [0.0, 50.0, None]
        assert [s["questions"][0].get("average") for s in listed] == [7.0, 8.0, None]
        assert listed[1]["questions"][0]["scoreCounts"]["9"] == 1
        assert [s["recipients"] for s in listed] == [4, 4, 4]


class TestStatements:
    def test_results_and_lists_do_not_grow_with_surveys_questions_or_answers(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        users = _friends(control, channel, *[f"Friend {n}" for n in range(6)])
        satisfaction = f"/_kizuna/channels/{channel.channel_id}/satisfaction-surveys"
        first = _sent_survey(control, channel, "First", users)
        control.http.post(satisfaction, json={"days": 1})
        control.wait_for_jobs()
        given = [0, [0], 5, None, None, None, None, None]
        assert _answer(control, channel, users[0], first, given).status_code == 201

        def views() -> None:
            for path in (
                _surveys(channel, f"/{first}/results"),
                _surveys(channel),
                satisfaction,
            ):
                assert control.http.get(path).status_code == 200

        few = counted(server, views)
        for n in range(3):
            _sent_survey(control, channel, f"More {n}", users)
        nps_id = control.http.get(satisfaction).json()["surveys"][0]["surveyId"]
        for user in users[1:]:
            many = [1, [0, 1, 2], 3, 0, [1], 2, "text", "more"]
            assert _answer(control, channel, user, first, many).status_code == 201
            assert _answer(control, channel, user, nps_id, [8]).status_code == 201
        assert counted(server, views) == few
        with statements(server) as executed:
            views()
        # Counted where the answers are, not read out to be counted.
        assert not [statement for statement in executed if "survey_answers.answers" in statement]
