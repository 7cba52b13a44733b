-- The schema a version-2 server (before item ids, stations and item status) created: kept to test the upgrade.
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number TEXT NOT NULL UNIQUE,
    tenant_id INTEGER NOT NULL,
    customer_name TEXT NOT NULL,
    type TEXT NOT NULL,
    table_label TEXT,
    total_amount INTEGER NOT NULL,
    items_count INTEGER NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    qr_token TEXT NOT NULL UNIQUE,
    payment_status TEXT NOT NULL,
    cancel_reason TEXT,
    picked_up_at TEXT,
    completed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_tenant ON orders (tenant_id, id);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, id);
CREATE TABLE IF NOT EXISTS order_items (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    qty INTEGER NOT NULL,
    price INTEGER NOT NULL,
    notes TEXT NOT NULL,
    modifiers TEXT NOT NULL,
    PRIMARY KEY (order_id, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tenant_numbers (
    tenant_id INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL UNIQUE REFERENCES orders (id),
    counter_id INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    amount_paid INTEGER NOT NULL,
    change INTEGER NOT NULL,
    payment_method TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    refund_reason TEXT,
    refunded_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_by_counter ON payments (counter_id, id);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    name TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    rooms TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    envelope TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS event_rooms (
    room TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency (
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    request_hash TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (principal, key)
) WITHOUT ROWID;
