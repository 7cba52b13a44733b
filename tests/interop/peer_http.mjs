// The plain node:http plumbing both peers share: JSON bodies in, a route table, JSON out.
export function serve(routes) {
  return (req, res) => {
    const url = new URL(req.url, "http://peer");
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      let body = {};
      try { body = text ? JSON.parse(text) : {}; } catch { return reply(res, 400, { error: "invalid JSON" }); }
      for (const [method, pattern, handler] of routes) {
        const match = req.method === method && url.pathname.match(pattern);
        if (match) return reply(res, ...handler({ req, url, query: url.searchParams, body, id: match[1] }));
      }
      reply(res, 404, { error: "Not found" });
    });
  };
}

function reply(res, status, body) {
  res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
  res.end(JSON.stringify(body));
}
