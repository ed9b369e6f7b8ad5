// A whole @cursor/sdk session against the server at CURSOR_BACKEND_URL: create, send, stream to
// the end, wait, a second send, list, get, archive, delete. Prints one JSON line of what it saw;
// exits non-zero on the first failure.
import { Agent } from "@cursor/sdk";

const apiKey = process.env.CURSOR_API_KEY;
const repo = process.env.NIGHTSHIFT_TEST_REPO;
const out = { steps: [] };
const step = (name, value) => out.steps.push({ name, value });

try {
  const agent = await Agent.create({
    apiKey,
    model: { id: "shell" },
    cloud: { repos: [{ url: repo, startingRef: "main" }] },
  });
  out.agentId = agent.agentId ?? agent.id;
  step("create", out.agentId);

  const run = await agent.send("echo from-sdk > SDK.md\necho 'SUMMARY: written by the sdk'");
  out.runId = run.id;
  const types = [];
  for await (const message of run.stream()) {
    types.push(message.type);
  }
  step("stream", types);
  const result = await run.wait();
  step("wait", result);

  const second = await agent.send("echo again >> SDK.md\necho 'SUMMARY: second send'");
  const secondResult = await second.wait();
  step("wait2", secondResult);

  const list = await Agent.list({ apiKey, runtime: "cloud" });
  step("list", (list.items ?? list).map((a) => a.agentId ?? a.id));
  const info = await Agent.get(out.agentId, { apiKey, runtime: "cloud" });
  step("get", { id: info.agentId ?? info.id, status: info.status });
  await Agent.archive(out.agentId, { apiKey, runtime: "cloud" });
  step("archive", true);
  await Agent.delete(out.agentId, { apiKey, runtime: "cloud" });
  step("delete", true);
  console.log(JSON.stringify(out));
} catch (e) {
  out.error = String(e && e.stack ? e.stack : e);
  console.log(JSON.stringify(out));
  process.exit(1);
}
