"""A bot receives media messages as typed events and fetches their content with the SDK."""

import io
import json

import pytest
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    AsyncApiClient,
    AsyncMessagingApiBlob,
    MessagingApiBlob,
)
from linebot.v3.messaging.exceptions import NotFoundException
from linebot.v3.webhooks import (
    AudioMessageContent,
    FileMessageContent,
    ImageMessageContent,
    MessageEvent,
    VideoMessageContent,
)
from PIL import Image

from tests.support.bot import BotServer
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer
from tests.support.media import M4A, MP4, PDF, picture, send
from tests.support.sdk import messaging_config


def blob(server: LiveServer, channel: ChannelInfo) -> tuple[ApiClient, MessagingApiBlob]:
    client = ApiClient(messaging_config(server.base_url, channel.access_token))
    return client, MessagingApiBlob(client)


class TestGetContent:
    def test_the_bot_gets_typed_events_and_the_bytes_each_user_sent(
        self, server: LiveServer, control: Control, channel: ChannelInfo, bot: BotServer
    ) -> None:
        alice = control.user("Alice")
        control.follow(channel, alice)
        png = picture()
        sent = [
            send(control, channel, alice, "image", ("cat.png", png, "image/png")),
            send(control, channel, alice, "video", ("clip.mp4", MP4, "video/mp4"), duration=3000),
            send(
                control, channel, alice, "audio", ("voice.m4a", M4A, "audio/x-m4a"), duration=1760
            ),
            send(control, channel, alice, "file", ("report.pdf", PDF, "application/pdf")),
        ]
        control.wait_for_jobs()

        assert bot.errors == []
        events = [e for e in bot.events if isinstance(e, MessageEvent)]
        assert [type(e.message) for e in events] == [
            ImageMessageContent,
            VideoMessageContent,
            AudioMessageContent,
            FileMessageContent,
        ]
        image, video, audio, file = (e.message for e in events)
        assert [m.id for m in (image, video, audio, file)] == [s["message"]["id"] for s in sent]
        assert image.content_provider.type == "line" and image.quote_token
        assert video.duration == 3000 and video.quote_token
        assert video.content_provider.type == "line"
        assert audio.duration == 1760 and audio.content_provider.type == "line"
        assert (file.file_name, file.file_size) == ("report.pdf", len(PDF))
        assert all(e.reply_token and e.source.user_id == alice for e in events)

        client, api = blob(server, channel)
        with client:
            assert bytes(api.get_message_content(image.id)) == png
            assert bytes(api.get_message_content(video.id)) == MP4
            assert bytes(api.get_message_content(audio.id)) == M4A
            assert bytes(api.get_message_content(file.id)) == PDF
            response = api.get_message_content_with_http_info(image.id)
            assert response.headers is not None
            assert response.headers["Content-Type"] == "image/png"
            assert {
                m.id: api.get_message_content_transcoding_by_message_id(m.id).status
                for m in (image, video, audio, file)
            } == {m.id: "succeeded" for m in (image, video, audio, file)}

    def test_a_wide_image_has_a_smaller_jpeg_preview_and_a_video_a_still(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        jpeg = picture(1200, 400, "JPEG")
        image = send(control, channel, alice, "image", ("wide.jpg", jpeg, "image/jpeg"))
        video = send(control, channel, alice, "video", ("clip.mp4", MP4, "video/mp4"), duration=5)
        client, api = blob(server, channel)
        with client:
            preview = bytes(api.get_message_content_preview(image["message"]["id"]))
            still = bytes(api.get_message_content_preview(video["message"]["id"]))
        with Image.open(io.BytesIO(preview)) as shrunk:
            assert shrunk.format == "JPEG" and shrunk.size == (240, 80)
            assert shrunk.getpixel((120, 40)) == pytest.approx((200, 40, 90), abs=8)
        assert len(preview) < len(jpeg)
        with Image.open(io.BytesIO(still)) as frame:
            assert frame.format == "JPEG" and max(frame.size) <= 240

    def test_audio_and_files_have_no_preview(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        audio = send(control, channel, alice, "audio", ("a.m4a", M4A, "audio/mp4"), duration=9)
        file = send(control, channel, alice, "file", ("r.pdf", PDF, "application/pdf"))
        client, api = blob(server, channel)
        with client:
            for event in (audio, file):
                with pytest.raises(NotFoundException) as raised:
                    api.get_message_content_preview(event["message"]["id"])
                assert json.loads(raised.value.body) == {"message": "not found"}

    def test_another_channels_messages_and_unknown_ids_are_not_found(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        other = control.channel("Other channel")
        text = control.say(channel, alice, {"type": "text", "text": "no content here"})
        event = send(control, channel, alice, "image", ("a.png", picture(), "image/png"))
        message_id = event["message"]["id"]
        client, api = blob(server, other)
        with client:
            calls = [
                lambda: api.get_message_content(message_id),
                lambda: api.get_message_content_preview(message_id),
                lambda: api.get_message_content_transcoding_by_message_id(message_id),
                lambda: api.get_message_content("123456789"),
            ]
            for call in calls:
                with pytest.raises(NotFoundException) as raised:
                    call()
                assert json.loads(raised.value.body) == {"message": "not found"}
        client, api = blob(server, channel)
        with client, pytest.raises(NotFoundException):
            api.get_message_content(text["message"]["id"])

    @pytest.mark.asyncio
    async def test_async_client(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        png = picture(300, 300)
        event = send(control, channel, alice, "image", ("a.png", png, "image/png"))
        message_id = event["message"]["id"]
        async with AsyncApiClient(
            messaging_config(server.base_url, channel.access_token)
        ) as client:
            api = AsyncMessagingApiBlob(client)
            content = await api.get_message_content(message_id)
            preview = await api.get_message_content_preview(message_id)
            status = await api.get_message_content_transcoding_by_message_id(message_id)
        assert bytes(content) == png and status.status == "succeeded"
        with Image.open(io.BytesIO(bytes(preview))) as shrunk:
            assert shrunk.format == "JPEG" and shrunk.size == (240, 240)


class TestTranscoding:
    def test_a_video_being_prepared_comes_back_empty_until_it_succeeds(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        file = ("clip.mp4", MP4, "video/mp4")
        event = send(control, channel, alice, "video", file, duration=10, transcoding="processing")
        message_id = event["message"]["id"]
        path = f"/_kizuna/channels/{channel.channel_id}/messages/{message_id}/transcoding"
        client, api = blob(server, channel)
        with client:
            assert api.get_message_content_transcoding_by_message_id(message_id).status == (
                "processing"
            )
            assert bytes(api.get_message_content(message_id)) == b""
            assert control.http.put(path, json={"status": "succeeded"}).status_code == 200
            assert api.get_message_content_transcoding_by_message_id(message_id).status == (
                "succeeded"
            )
            assert bytes(api.get_message_content(message_id)) == MP4

    def test_failed_preparation_leaves_the_content_gone(
        self, server: LiveServer, control: Control, channel: ChannelInfo
    ) -> None:
        alice = control.user("Alice")
        file = ("voice.m4a", M4A, "audio/mp4")
        event = send(control, channel, alice, "audio", file, duration=10, transcoding="failed")
        message_id = event["message"]["id"]
        client, api = blob(server, channel)
        with client:
            status = api.get_message_content_transcoding_by_message_id(message_id)
            assert status.status == "failed"
            with pytest.raises(ApiException) as raised:
                api.get_message_content(message_id)
        assert raised.value.status == 410
        assert json.loads(raised.value.body) == {"message": "The content is gone"}
