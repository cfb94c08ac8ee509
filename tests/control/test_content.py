"""Users send media by upload and unsend messages; the platform expires content."""

import json
from datetime import timedelta
from typing import Any

import pytest
from linebot.v3.messaging import ApiClient, ApiException, MessagingApiBlob
from linebot.v3.webhooks import MessageEvent, UnsendEvent
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kit.clock import Clock
from app.models import Group, UserMessage
from app.webhook import user_messages
from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.media import M4A, MP4, PDF, picture, send, upload
from tests.support.sdk import messaging_config


def unsend_path(channel: ChannelInfo, user_id: str, message_id: str) -> str:
    return f"/_kizuna/channels/{channel.channel_id}/users/{user_id}/messages/{message_id}/unsend"


def content_status(server: LiveServer, channel: ChannelInfo, message_id: str) -> dict[str, Any]:
    """What the content, preview and transcoding routes answer: status and body."""
    answers: dict[str, Any] = {}
    with ApiClient(messaging_config(server.base_url, channel.access_token)) as client:
        api = MessagingApiBlob(client)
        for name, call in (
            ("content", api.get_message_content),
            ("preview", api.get_message_content_preview),
            ("transcoding", api.get_message_content_transcoding_by_message_id),
        ):
            try:
                call(message_id)
                answers[name] = 200
            except ApiException as exc:
                answers[name] = (exc.status, json.loads(exc.body))
    return answers


GONE = (410, {"message": "The content is gone"})


class TestSendMedia:
    def test_bad_uploads_name_the_property(self, control: Control, channel: ChannelInfo) -> None:
        alice = control.user("Alice")
        png = ("a.png", picture(), "image/png")
        cases: list[tuple[str, tuple[str, bytes, str] | None, dict[str, Any], set[str]]] = [
            ("sticker", png, {}, {"type"}),
            ("image", None, {}, {"file"}),
            ("image", ("a.png", b"", "image/png"), {}, {"file"}),
            ("image", ("a.png", b"\x89PNG\r\n\x1a\nnot really", "image/png"), {}, {"file"}),
            ("image", ("a.png", picture()[:200], "image/png"), {}, {"file"}),
            ("video", ("a.mp4", b"just some text", "video/mp4"), {"duration": 10}, {"file"}),
            ("video", ("a.mp4", MP4, "video/mp4"), {}, {"duration"}),
            ("video", ("a.mp4", MP4, "video/mp4"), {"duration": "soon"}, {"duration"}),
            ("audio", ("a.m4a", M4A, "audio/mp4"), {"duration": 0}, {"duration"}),
            ("audio", ("a.txt", b"hello", "text/plain"), {"duration": 5}, {"file"}),
            (
                "audio",
                ("a.m4a", M4A, "audio/mp4"),
                {"duration": 5, "transcoding": "x"},
                {"transcoding"},
            ),
            ("file", ("r.pdf", PDF, "application/pdf"), {"fileName": "x" * 256}, {"fileName"}),
        ]
        for kind, file, fields, properties in cases:
            response = upload(control, channel, alice, kind, file, **fields)
            assert response.status_code == 400, (kind, fields, response.text)
            body = response.json()
            assert body["message"].startswith("The request body has"), body
            assert {d["property"] for d in body["details"]} == properties, (kind, body)

    def test_uploads_over_the_limit_are_refused(
        self, control: Control, channel: ChannelInfo, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(user_messages.MAX_UPLOAD_BYTES, "file", 100)
        alice = control.user("Alice")
        response = upload(control, channel, alice, "file", ("r.pdf", PDF, "application/pdf"))
        assert response.status_code == 400
        assert response.json()["details"] == [
            {"message": "Size must be at most 100 bytes", "property": "file"}
        ]

    def test_json_still_carries_text_and_other_bodies_are_refused(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        path = f"/_kizuna/channels/{channel.channel_id}/users/{alice}/messages"
        said = control.say(channel, alice, {"type": "text", "text": "hi"})
        assert said["message"]["text"] == "hi"
        plain = control.http.post(path, content=b"hi", headers={"Content-Type": "text/plain"})
        assert plain.status_code == 415
        assert plain.json() == {"message": "The content type, text/plain, is not supported"}
        broken = control.http.post(
            path,
            content=b'{"type": "text",\n "text": }',
            headers={"Content-Type": "application/json"},
        )
        assert broken.status_code == 400
        assert broken.json()["message"] == (
            "The request body could not be parsed as JSON (line: 2, column: 10)"
        )

    def test_file_messages_take_the_uploads_name_unless_one_is_given(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        named = send(control, channel, alice, "file", ("scan.pdf", PDF, "application/pdf"))
        renamed = send(
            control,
            channel,
            alice,
            "file",
            ("x.bin", b"\x00", "application/octet-stream"),
            fileName="契約書.txt",
        )
        assert named["message"] | {"id": "", "markAsReadToken": ""} == {
            "id": "",
            "type": "file",
            "fileName": "scan.pdf",
            "fileSize": len(PDF),
            "markAsReadToken": "",
        }
        assert renamed["message"]["fileName"] == "契約書.txt"
        assert renamed["message"]["fileSize"] == 1

    def test_an_overlong_declared_type_counts_as_undeclared(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        declared = "application/" + "x" * 120  # longer than the stored type's column
        event = send(control, channel, alice, "file", ("notes.txt", b"hello", declared))
        path = f"/v2/bot/message/{event['message']['id']}/content"
        headers = {"Authorization": f"Bearer {channel.access_token}"}
        content = control.http.get(path, headers=headers)
        assert content.status_code == 200 and content.content == b"hello"
        assert content.headers["content-type"].startswith("text/plain")


class TestUnsend:
    def test_the_bot_learns_of_the_unsend_and_the_content_is_gone(
        self, server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        alice, bob = control.user("Alice"), control.user("Bob")
        control.follow(channel, alice)
        event = send(control, channel, alice, "image", ("a.png", picture(), "image/png"))
        message_id = event["message"]["id"]
        assert content_status(server, channel, message_id) == {
            "content": 200,
            "preview": 200,
            "transcoding": 200,
        }

        assert control.http.post(unsend_path(channel, bob, message_id)).status_code == 404
        assert control.http.post(unsend_path(channel, alice, "42")).status_code == 404
        unsent = control.http.post(unsend_path(channel, alice, message_id))
        assert unsent.status_code == 201, unsent.text
        assert "replyToken" not in unsent.json()
        again = control.http.post(unsend_path(channel, alice, message_id))
        assert again.status_code == 409
        control.wait_for_jobs()

        assert bot.errors == []
        assert [type(e) for e in bot.events] == [type(bot.events[0]), MessageEvent, UnsendEvent]
        unsend = bot.events[-1]
        assert unsend.unsend.message_id == message_id
        assert unsend.source.type == "user" and unsend.source.user_id == alice
        assert b"replyToken" not in bot.received[-1].body
        assert content_status(server, channel, message_id) == {
            "content": GONE,
            "preview": GONE,
            "transcoding": GONE,
        }

    def test_a_text_message_can_be_unsent_within_a_day_only(
        self, server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        clock: Clock = server.services.clock
        alice = control.user("Alice")
        early = control.say(channel, alice, {"type": "text", "text": "oops"})["message"]["id"]
        late = control.say(channel, alice, {"type": "text", "text": "fine"})["message"]["id"]
        assert control.http.post(unsend_path(channel, alice, early)).status_code == 201
        control.wait_for_jobs()
        clock.advance(timedelta(hours=24, minutes=1))
        refused = control.http.post(unsend_path(channel, alice, late))
        assert refused.status_code == 409 and "24 hours" in refused.json()["message"]
        control.wait_for_jobs()
        assert {e.unsend.message_id for e in bot.events if isinstance(e, UnsendEvent)} == {early}

    @pytest.mark.asyncio
    async def test_a_message_sent_in_a_group_is_unsent_from_the_group(
        self,
        server: LiveServer,
        control: Control,
        channel: ChannelInfo,
        bot: BotServer,
        session_maker: async_sessionmaker[AsyncSession],
    ) -> None:
        alice = control.user("Alice")
        message_id = control.say(channel, alice, {"type": "text", "text": "hi all"})["message"][
            "id"
        ]
        # Whoever sends group messages, the unsend reads where it went from the stored row.
        async with session_maker() as session, session.begin():
            group = Group(
                group_id="C" + "0" * 32, name="Friends", created_at=server.services.clock.now()
            )
            session.add(group)
            await session.flush()
            await session.execute(
                update(UserMessage)
                .where(UserMessage.message_id == message_id)
                .values(group_pk=group.id)
            )
        assert control.http.post(unsend_path(channel, alice, message_id)).status_code == 201
        control.wait_for_jobs()
        unsend = bot.events[-1]
        assert isinstance(unsend, UnsendEvent)
        assert unsend.source.type == "group" and unsend.source.group_id == "C" + "0" * 32
        assert unsend.source.user_id == alice


class TestExpireContent:
    def test_expired_content_is_gone_and_unknown_messages_are_not_found(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        video = send(control, channel, alice, "video", ("c.mp4", MP4, "video/mp4"), duration=7)
        text = control.say(channel, alice, {"type": "text", "text": "hi"})
        base = f"/_kizuna/channels/{channel.channel_id}/messages"
        message_id = video["message"]["id"]
        assert control.http.delete(f"{base}/{message_id}/content").status_code == 204
        assert control.http.delete(f"{base}/{message_id}/content").status_code == 204
        assert control.http.delete(f"{base}/42/content").status_code == 404
        assert control.http.delete(f"{base}/{text['message']['id']}/content").status_code == 409
        assert content_status(server, channel, message_id) == {
            "content": GONE,
            "preview": GONE,
            "transcoding": GONE,
        }

    def test_only_videos_and_audio_are_prepared(
        self, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        image = send(control, channel, alice, "image", ("a.png", picture(), "image/png"))
        base = f"/_kizuna/channels/{channel.channel_id}/messages"
        path = f"{base}/{image['message']['id']}/transcoding"
        assert control.http.put(path, json={"status": "failed"}).status_code == 409
        bad = control.http.put(path, json={"status": "done"})
        assert bad.status_code == 400 and bad.json()["details"][0]["property"] == "status"
