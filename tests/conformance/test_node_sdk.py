"""The official Node SDK (`@line/bot-sdk`, tests/node/) drives a live Kizuna: push, multicast,
rich menus, audiences, and `validateSignature` on the webhooks Kizuna signs."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import services as svc
from tests.support.control import ChannelInfo, Control
from tests.support.live import LiveServer

PROJECT = Path(__file__).resolve().parents[1] / "node"
SDK_VERSION = json.loads((PROJECT / "package.json").read_text())["dependencies"]["@line/bot-sdk"]


def node_or_skip() -> str:
    """The node binary; locally a missing Node or SDK skips, under CI=true it fails."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not installed"
    elif not (PROJECT / "node_modules" / "@line" / "bot-sdk").is_dir():
        problem = f"the Node SDK is not installed: run `npm ci` in {PROJECT} (make test does)"
    if problem is None:
        assert node is not None
        return node
    if svc.in_ci():
        pytest.fail(f"{problem} (CI=true: the Node SDK test fails instead of skipping)")
    pytest.skip(problem)


def drive(server: LiveServer, channel: ChannelInfo) -> dict[str, Any]:
    node = node_or_skip()
    result = subprocess.run(
        [node, "drive.mjs"],
        cwd=PROJECT,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "KIZUNA_URL": server.base_url,
            "KIZUNA_CHANNEL_ID": channel.channel_id,
            "LINE_CHANNEL_SECRET": channel.channel_secret,
            "LINE_CHANNEL_ACCESS_TOKEN": channel.access_token,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = result.stdout.strip().splitlines()
    assert lines, f"no output (exit {result.returncode}): {result.stderr}"
    output: dict[str, Any] = json.loads(lines[-1])
    assert result.returncode == 0 and "error" not in output, output
    return output


def test_the_node_sdk_drives_kizuna(
    server: LiveServer, control: Control, channel: ChannelInfo
) -> None:
    seen = drive(server, channel)
    alice, bob = seen["users"]["alice"], seen["users"]["bob"]
    assert seen["sdkVersion"] == SDK_VERSION
    assert seen["info"]["userId"] == channel.bot_user_id

    # Webhooks: every request Kizuna signed validates with the channel secret, and only with it.
    webhook = seen["webhook"]
    assert webhook["endpoint"]["active"] is True
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\S*", webhook["endpoint"]["endpoint"])
    assert webhook["test"]["success"] is True and webhook["test"]["statusCode"] == 200
    requests = webhook["requests"]
    # The test request carries no events; the follow and the message may share a request.
    assert requests[0]["events"] == []
    assert [event for r in requests for event in r["events"]] == ["follow", "message"]
    for request in requests:
        assert request["valid"] and request["validAsString"], request
        assert not request["wrongSecret"] and not request["tampered"], request
        assert request["destination"] == channel.bot_user_id
        assert request["userAgent"] == "LineBotWebhook/2.0"

    # Push and multicast reach the users' inboxes, with the ids the SDK was answered.
    sending = seen["sending"]
    assert sending["multicast"] == {}
    pushed = sending["push"]["sentMessages"]
    replied = webhook["reply"]["sentMessages"]
    multicast_id = sending["inbox"]["alice"][2]["messageId"]
    assert [(m["via"], m["text"], m["messageId"]) for m in sending["inbox"]["alice"]] == [
        ("reply", "You said: hello from Node", replied[0]["id"]),
        ("push", "Hello Alice (push)", pushed[0]["id"]),
        ("multicast", "Hello both (multicast)", multicast_id),
    ]
    # The multicast has a message id of its own (18 digits), not one of the earlier sends'.
    assert re.fullmatch(r"\d{18}", multicast_id)
    assert multicast_id not in {replied[0]["id"], pushed[0]["id"]}
    assert [(m["via"], m["text"]) for m in sending["inbox"]["bob"]] == [
        ("multicast", "Hello both (multicast)")
    ]
    assert control.inbox(channel, alice)[1]["messageId"] == pushed[0]["id"]
    assert [m["via"] for m in control.inbox(channel, bob)] == ["multicast"]

    # Rich menus: created, image uploaded and downloaded as sent, linked, read, deleted.
    menu = seen["richMenu"]
    assert menu["validated"] == {} and menu["uploaded"] == {} and menu["linked"] == {}
    assert menu["imageRoundTrips"] is True and menu["imageContentType"] == "image/png"
    assert menu["ofUser"] == menu["richMenuId"] == menu["got"]["richMenuId"]
    assert menu["got"]["size"] == {"width": 800, "height": 270}
    assert [area["action"]["type"] for area in menu["got"]["areas"]] == ["postback", "message"]
    assert menu["listed"] == [menu["richMenuId"]]
    assert menu["deleted"] == {}
    assert (menu["getAfterDelete"], menu["ofUserAfterDelete"]) == (404, 404)

    # Audiences: created from one user, another added, both counted.
    audience = seen["audience"]
    group = audience["got"]["audienceGroup"]
    assert group["audienceGroupId"] == audience["created"]["audienceGroupId"]
    assert (group["type"], group["description"], group["audienceCount"]) == (
        "UPLOAD",
        "Node SDK audience",
        2,
    )
    assert sorted(job["description"] for job in audience["got"]["jobs"]) == [
        "first upload",
        "second upload",
    ]
    assert audience["added"] == {}
    assert audience["missing"] == 400  # as the platform answers an unknown audience group
