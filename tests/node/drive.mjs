// The official LINE Node SDK (@line/bot-sdk) driving a running Kizuna: push, multicast, rich
// menus, audiences, and `validateSignature` on the webhooks Kizuna signs. Only `baseURL`
// differs from a bot talking to the real platform; simulated users act through Kizuna's
// control plane. Prints one JSON object of what it saw (tests/conformance/test_node_sdk.py
// asserts on it) and exits 1 with {"error": …} when a call fails.
//
//   KIZUNA_URL=http://127.0.0.1:8080 KIZUNA_CHANNEL_ID=… LINE_CHANNEL_SECRET=… \
//   LINE_CHANNEL_ACCESS_TOKEN=… node drive.mjs

import http from "node:http";
import zlib from "node:zlib";

import {
  HTTPFetchError,
  manageAudience,
  messagingApi,
  validateSignature,
} from "@line/bot-sdk";

function setting(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const baseURL = setting("KIZUNA_URL");
const channelId = setting("KIZUNA_CHANNEL_ID");
const channelSecret = setting("LINE_CHANNEL_SECRET");
const channelAccessToken = setting("LINE_CHANNEL_ACCESS_TOKEN");
const WAIT_MS = 20_000;

const config = { channelAccessToken, baseURL };
const api = new messagingApi.MessagingApiClient(config);
const blob = new messagingApi.MessagingApiBlobClient(config);
const audiences = new manageAudience.ManageAudienceClient(config);

async function control(method, path, body) {
  const response = await fetch(`${baseURL}/_kizuna${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /_kizuna${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// A webhook receiver as a bot would write one: it keeps the raw body, which is what is signed.
function startReceiver() {
  const requests = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({
        body: Buffer.concat(chunks),
        signature: request.headers["x-line-signature"] ?? "",
        userAgent: request.headers["user-agent"] ?? "",
      });
      response.writeHead(200, { "content-type": "text/plain" }).end("OK");
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}/callback`, requests, server });
    });
  });
}

async function until(condition, what) {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// A solid PNG of the rich menu's size, encoded here so the project needs nothing but the SDK.
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
  const pixels = zlib.deflateSync(Buffer.concat(Array(height).fill(row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

async function statusOf(call) {
  try {
    await call();
    return 200;
  } catch (error) {
    if (error instanceof HTTPFetchError) return error.status;
    throw error;
  }
}

async function webhooks(receiver, alice) {
  await api.setWebhookEndpoint({ endpoint: receiver.url });
  await control("PUT", `/channels/${channelId}/webhook`, { enabled: true });
  const endpoint = await api.getWebhookEndpoint();
  const test = await api.testWebhookEndpoint({});
  await control("POST", `/channels/${channelId}/users/${alice}/follow`);
  await control("POST", `/channels/${channelId}/users/${alice}/messages`, {
    type: "text",
    text: "hello from Node",
  });
  await control("POST", "/jobs/wait");
  // The test request (no events), then the follow and the message.
  await until(
    () => receiver.requests.flatMap((r) => JSON.parse(r.body).events).length >= 2,
    "the follow and message webhooks",
  );
  const requests = receiver.requests.map((request) => {
    const tampered = Buffer.from(request.body);
    tampered[tampered.length - 2] ^= 1;
    const payload = JSON.parse(request.body);
    return {
      valid: validateSignature(request.body, channelSecret, request.signature),
      validAsString: validateSignature(
        request.body.toString("utf8"),
        channelSecret,
        request.signature,
      ),
      wrongSecret: validateSignature(request.body, "0".repeat(32), request.signature),
      tampered: validateSignature(tampered, channelSecret, request.signature),
      userAgent: request.userAgent,
      destination: payload.destination,
      events: payload.events.map((event) => event.type),
    };
  });
  const message = receiver.requests
    .flatMap((r) => JSON.parse(r.body).events)
    .find((event) => event.type === "message");
  const reply = await api.replyMessage({
    replyToken: message.replyToken,
    messages: [{ type: "text", text: `You said: ${message.message.text}` }],
  });
  return { endpoint, test, requests, reply };
}

async function sending(alice, bob) {
  await control("POST", `/channels/${channelId}/users/${bob}/follow`);
  const push = await api.pushMessage({
    to: alice,
    messages: [{ type: "text", text: "Hello Alice (push)" }],
  });
  const multicast = await api.multicast({
    to: [alice, bob],
    messages: [{ type: "text", text: "Hello both (multicast)" }],
  });
  await control("POST", "/jobs/wait");
  const inbox = async (user) =>
    (await control("GET", `/channels/${channelId}/users/${user}/inbox`)).map((item) => ({
      messageId: item.messageId,
      via: item.via,
      text: item.message.text,
    }));
  return { push, multicast, inbox: { alice: await inbox(alice), bob: await inbox(bob) } };
}

async function richMenus(alice) {
  const size = { width: 800, height: 270 };
  const request = {
    size,
    selected: false,
    name: "Node SDK menu",
    chatBarText: "Menu",
    areas: [
      {
        bounds: { x: 0, y: 0, width: 400, height: 270 },
        action: { type: "postback", data: "action=left", label: "Left" },
      },
      {
        bounds: { x: 400, y: 0, width: 400, height: 270 },
        action: { type: "message", text: "right", label: "Right" },
      },
    ],
  };
  const validated = await api.validateRichMenuObject(request);
  const { richMenuId } = await api.createRichMenu(request);
  const image = png(size.width, size.height, [6, 199, 85]);
  const uploaded = await blob.setRichMenuImage(
    richMenuId,
    new Blob([image], { type: "image/png" }),
  );
  const downloaded = await blob.getRichMenuImageWithHttpInfo(richMenuId);
  const chunks = [];
  for await (const chunk of downloaded.body) chunks.push(chunk);
  const linked = await api.linkRichMenuIdToUser(alice, richMenuId);
  const ofUser = await api.getRichMenuIdOfUser(alice);
  const got = await api.getRichMenu(richMenuId);
  const listed = await api.getRichMenuList();
  const deleted = await api.deleteRichMenu(richMenuId);
  return {
    richMenuId,
    validated,
    uploaded,
    imageContentType: downloaded.httpResponse.headers.get("content-type"),
    imageRoundTrips: Buffer.concat(chunks).equals(image),
    linked,
    ofUser: ofUser.richMenuId,
    got,
    listed: listed.richmenus.map((menu) => menu.richMenuId),
    deleted,
    getAfterDelete: await statusOf(() => api.getRichMenu(richMenuId)),
    ofUserAfterDelete: await statusOf(() => api.getRichMenuIdOfUser(alice)),
  };
}

async function audienceGroups(alice, bob) {
  const created = await audiences.createAudienceGroup({
    description: "Node SDK audience",
    isIfaAudience: false,
    uploadDescription: "first upload",
    audiences: [{ id: alice }],
  });
  const added = await audiences.addAudienceToAudienceGroup({
    audienceGroupId: created.audienceGroupId,
    uploadDescription: "second upload",
    audiences: [{ id: bob }],
  });
  const got = await audiences.getAudienceData(created.audienceGroupId);
  const missing = await statusOf(() => audiences.getAudienceData(1));
  return { created, added, got, missing };
}

async function main() {
  const receiver = await startReceiver();
  try {
    const alice = (await control("POST", "/users", { displayName: "Alice" })).userId;
    const bob = (await control("POST", "/users", { displayName: "Bob" })).userId;
    const info = await api.getBotInfo();
    const result = {
      sdkVersion: (await import("@line/bot-sdk/package.json", { with: { type: "json" } }))
        .default.version,
      users: { alice, bob },
      info,
      webhook: await webhooks(receiver, alice),
      sending: await sending(alice, bob),
      richMenu: await richMenus(alice),
      audience: await audienceGroups(alice, bob),
    };
    process.stdout.write(JSON.stringify(result) + "\n");
  } finally {
    receiver.server.close();
  }
}

main().catch((error) => {
  const detail = error instanceof HTTPFetchError ? { status: error.status, body: error.body } : {};
  process.stdout.write(JSON.stringify({ error: String(error.stack ?? error), ...detail }) + "\n");
  process.exit(1);
});
