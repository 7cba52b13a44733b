// The food-court NotificationService, as its completion report describes it: rooms tenant-N,
// kasir-N, display and user-N joined with join-tenant / join-kasir / join-display (no answer, no
// auth), eight events in {type, timestamp, data} with the report's exact fields (alerts at top
// level), and a knex-style REST API whose rows use their own names (order_status, quantity,
// menu_item_name).  No event ids, no seq, no catch-up, no GET /api/payments.
//
//   node server.mjs --port P --data FILE      prints "listening on <port>" when ready
//
// State is written to FILE (temp file + rename) after every change, so a SIGKILL and a restart
// keep every order.  Routes under /_test/ are the tests' controls, not part of the protocol.
import fs from "node:fs";
import http from "node:http";
import { Server } from "socket.io";
import { serve } from "../peer_http.mjs";

const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
const dataFile = arg("--data");
const state = fs.existsSync(dataFile)
  ? JSON.parse(fs.readFileSync(dataFile, "utf8"))
  : { nextId: 1, numbers: {}, orders: {}, payments: {} };
const save = () => {
  fs.writeFileSync(dataFile + ".tmp", JSON.stringify(state));
  fs.renameSync(dataFile + ".tmp", dataFile);
};
const now = () => new Date().toISOString();
const nextId = () => state.nextId++;
const reference = (prefix) =>
  `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
const total = (order) => order.items.reduce((sum, item) => sum + item.quantity * item.price, 0);
const paid = (order) =>
  Object.values(state.payments)
    .filter((p) => p.order_id === order.id && p.status === "success")
    .reduce((sum, p) => sum + p.amount_paid - p.change, 0);

// Credentials it was handed, though it asks for none: the tests check a screen withholds them.
const tokensSeen = [];
const server = http.createServer((req, res) => {
  if (req.headers.authorization) tokensSeen.push({ where: req.url.split("?")[0], token: req.headers.authorization });
  handle(req, res);
});
const io = new Server(server, { cors: { origin: "*" } });
const emit = (rooms, event, type, data) =>
  io.to(rooms).emit(event, { type, timestamp: now(), data });

io.on("connection", (socket) => {
  console.log(`[Socket.IO] User connected: ${socket.id}`);
  if (socket.handshake.auth?.token) tokensSeen.push({ where: "socket", token: socket.handshake.auth.token });
  socket.on("join-tenant", (id) => socket.join(`tenant-${id}`));
  socket.on("join-kasir", (id) => socket.join(`kasir-${id}`));
  socket.on("join-display", () => socket.join("display"));
  socket.on("join-user", (id) => socket.join(`user-${id}`));
  socket.on("disconnect", () => console.log(`[Socket.IO] User disconnected: ${socket.id}`));
});

const MOVES = { pending: "preparing", preparing: "ready", ready: "completed" };

const routes = [
  ["GET", /^\/api\/orders$/, ({ query: q }) => {
    const statuses = q.get("status")?.split(",");
    return [200, Object.values(state.orders).filter((o) =>
      (!q.get("tenant_id") || o.tenant_id === +q.get("tenant_id")) &&
      (!statuses || statuses.includes(o.order_status)))];
  }],
  ["GET", /^\/api\/orders\/(\d+)$/, ({ query: q, body, id }) => state.orders[id] ? [200, state.orders[id]] : [404, { error: "Order not found" }]],
  ["POST", /^\/api\/orders$/, ({ query: q, body }) => {
    if (!body.tenant_id || !Array.isArray(body.items) || !body.items.length) return [400, { error: "tenant_id and items are required" }];
    const count = (state.numbers[body.tenant_id] = (state.numbers[body.tenant_id] || 0) + 1);
    const order = {
      id: nextId(), order_number: `T${body.tenant_id}-${String(count).padStart(3, "0")}`,
      tenant_id: body.tenant_id, customer_name: body.customer_name || "", order_status: "pending",
      created_at: now(), updated_at: now(), qr_token: Math.random().toString(36).slice(2, 14),
      items: body.items.map((item) => ({ id: nextId(), menu_item_name: item.menu_item_name, quantity: item.quantity, price: item.price, notes: item.notes ?? null })),
    };
    order.total_amount = total(order);
    state.orders[order.id] = order;
    save();
    emit([`tenant-${order.tenant_id}`, "display"], "order:created", "order_created", {
      order_id: order.id, order_number: order.order_number, customer_name: order.customer_name,
      total_amount: order.total_amount, items_count: order.items.length, status: "pending",
    });
    return [201, order];
  }],
  ["PATCH", /^\/api\/orders\/(\d+)\/status$/, ({ query: q, body, id }) => {
    const order = state.orders[id];
    if (!order) return [404, { error: "Order not found" }];
    if (MOVES[order.order_status] !== body.status) return [400, { error: `cannot move ${order.order_status} to ${body.status}` }];
    const previous = order.order_status;
    Object.assign(order, { order_status: body.status, updated_at: now() });
    save();
    emit([`tenant-${order.tenant_id}`, "display"], "order:status_changed", "order_status_changed", {
      order_id: order.id, order_number: order.order_number, previous_status: previous,
      new_status: order.order_status, transition: `${previous} → ${order.order_status}`, customer_name: order.customer_name,
    });
    return [200, order];
  }],
  ["DELETE", /^\/api\/orders\/(\d+)$/, ({ query: q, body, id }) => {
    const order = state.orders[id];
    if (!order) return [404, { error: "Order not found" }];
    Object.assign(order, { order_status: "cancelled", updated_at: now() });
    save();
    emit([`tenant-${order.tenant_id}`, "display"], "order:cancelled", "order_cancelled", {
      order_id: order.id, order_number: order.order_number, reason: body.reason || q.get("reason") || "",
      customer_name: order.customer_name, refund_amount: paid(order),
    });
    return [200, { success: true }];
  }],
  ["POST", /^\/api\/payments$/, ({ query: q, body }) => {
    const order = state.orders[body.order_id];
    if (!order) return [404, { error: "Order not found" }];
    if (!(body.amount_paid >= order.total_amount)) return [400, { error: "amount_paid is less than the total" }];
    const payment = {
      id: nextId(), order_id: order.id, amount_paid: body.amount_paid, payment_method: body.payment_method || "cash",
      transaction_reference: reference("PAY"), status: "success", change: body.amount_paid - order.total_amount,
      checkout_counter_id: body.checkout_counter_id, created_at: now(),
    };
    state.payments[payment.id] = payment;
    save();
    emit([`tenant-${order.tenant_id}`, `kasir-${payment.checkout_counter_id}`, "display"], "payment:processed", "payment_processed", {
      payment_id: payment.id, order_id: order.id, order_number: order.order_number, amount_paid: payment.amount_paid,
      payment_method: payment.payment_method, transaction_reference: payment.transaction_reference,
      status: payment.status, change: payment.change, customer_name: order.customer_name,
    });
    return [201, payment];
  }],
  ["POST", /^\/api\/payments\/(\d+)\/refund$/, ({ query: q, body, id }) => {
    const original = state.payments[id];
    if (!original || original.status !== "success") return [400, { error: "payment cannot be refunded" }];
    const order = state.orders[original.order_id];
    original.status = "refunded";
    const refund = { id: nextId(), order_id: order.id, amount_paid: -(original.amount_paid - original.change), transaction_reference: reference("REFUND-PAY"), status: "refund", created_at: now() };
    state.payments[refund.id] = refund;
    save();
    // broadcastPaymentRefunded(refund, order, tenantId) has no counter: tenant and display only.
    emit([`tenant-${order.tenant_id}`, "display"], "payment:refunded", "payment_refunded", {
      refund_id: refund.id, order_id: order.id, order_number: order.order_number, refund_amount: -refund.amount_paid,
      transaction_reference: refund.transaction_reference, original_payment_id: original.id,
      reason: body.reason || "", customer_name: order.customer_name,
    });
    return [201, refund];
  }],
  ["POST", /^\/api\/qr\/scan$/, ({ query: q, body }) => {
    const order = Object.values(state.orders).find((o) => o.qr_token === body.token);
    if (!order) return [404, { error: "QR code not found" }];
    order.qr_scans = (order.qr_scans || 0) + 1;
    save();
    emit([`tenant-${order.tenant_id}`, "display"], "qr:scanned", "qr_scanned", {
      qr_id: order.id, order_id: order.id, order_number: order.order_number, token: order.qr_token,
      status: "scanned", scanned_count: order.qr_scans, customer_name: order.customer_name,
    });
    return [200, { success: true }];
  }],
  ["GET", /^\/_test\/tokens$/, () => [200, tokensSeen]],
  ["POST", /^\/_test\/notify$/, ({ query: q, body }) => {
    const order = state.orders[body.order_id];
    io.to(`user-${body.user_id}`).emit("notification", {
      type: body.type, timestamp: now(), data: { order_id: order.id, order_number: order.order_number },
    });
    return [200, { ok: true }];
  }],
  ["POST", /^\/_test\/alert$/, ({ query: q, body }) => {
    io.emit("alert", { type: "system_alert", severity: body.severity, message: body.message, timestamp: now() });
    return [200, { ok: true }];
  }],
];

const handle = serve(routes);

server.listen(+arg("--port"), "127.0.0.1", () => console.log(`listening on ${server.address().port}`));
