// The control for field/express-items: the same Express 5 + jsonwebtoken items API, with the
// ownership checks the tutorial version lacks (the list is filtered by the caller's sub, another
// identity's item is a 404 for reads, updates and deletes). It uses express-items' throwaway test
// issuer (field/express-items/.keys/, made by its keygen.mjs). PORT from the environment.
import express from "express";
import jwt from "jsonwebtoken";
import { readFileSync } from "node:fs";

const publicKey = readFileSync(
  new URL("../express-items/.keys/issuer.pub.pem", import.meta.url),
  "utf8",
);
const app = express();
app.use(express.json());

const items = new Map();
let nextId = 1;

app.get("/health", (_req, res) => res.json({ status: "ok" }));

function authenticate(req, res, next) {
  const header = req.headers.authorization || "";
  const token = header.startsWith("Bearer ") ? header.slice(7) : null;
  if (!token) return res.status(401).json({ error: "missing token" });
  try {
    req.user = jwt.verify(token, publicKey, {
      algorithms: ["RS256"],
      issuer: "https://issuer.field.test",
      audience: "express-items",
    });
    next();
  } catch {
    res.status(401).json({ error: "invalid token" });
  }
}

function requireAdmin(req, res, next) {
  if (req.user.role !== "admin") {
    return res.status(403).json({ error: "admins only" });
  }
  next();
}

// the caller's own item, or a 404 (the same answer as a missing one)
function ownItem(req, res, next) {
  const item = items.get(Number(req.params.id));
  if (!item || item.createdBy !== req.user.sub) {
    return res.status(404).json({ error: "not found" });
  }
  req.item = item;
  next();
}

app.get("/items", authenticate, (req, res) => {
  res.json([...items.values()].filter((i) => i.createdBy === req.user.sub));
});

app.post("/items", authenticate, (req, res) => {
  const { name, quantity } = req.body;
  if (typeof name !== "string" || typeof quantity !== "number") {
    return res.status(400).json({ error: "name and quantity are required" });
  }
  const item = { id: nextId++, name, quantity, createdBy: req.user.sub };
  items.set(item.id, item);
  res.status(201).json(item);
});

app.get("/items/:id", authenticate, ownItem, (req, res) => res.json(req.item));

app.put("/items/:id", authenticate, ownItem, (req, res) => {
  const { name, quantity } = req.body;
  if (name !== undefined) req.item.name = name;
  if (quantity !== undefined) req.item.quantity = quantity;
  res.json(req.item);
});

app.delete("/items/:id", authenticate, ownItem, (req, res) => {
  items.delete(req.item.id);
  res.status(204).end();
});

app.get("/admin/users", authenticate, requireAdmin, (_req, res) => {
  res.json({
    users: [...new Set([...items.values()].map((i) => i.createdBy))],
  });
});

const port = Number(process.env.PORT || 3000);
app.listen(
  port,
  "127.0.0.1",
  () => console.log(`express-items-owned on 127.0.0.1:${port}`),
);
