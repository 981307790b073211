// An items API as a tutorial writes it: Express 5, JWT bearer auth with jsonwebtoken, items kept
// in memory with the creator's id, and no ownership check on reads, updates, deletes or the list.
// The admin route checks the role claim. PORT from the environment (the field runner's free port).
import express from "express";
import jwt from "jsonwebtoken";
import { readFileSync } from "node:fs";

const publicKey = readFileSync(new URL("./.keys/issuer.pub.pem", import.meta.url), "utf8");
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
  if (req.user.role !== "admin") return res.status(403).json({ error: "admins only" });
  next();
}

app.get("/items", authenticate, (_req, res) => {
  res.json([...items.values()]);
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

app.get("/items/:id", authenticate, (req, res) => {
  const item = items.get(Number(req.params.id));
  if (!item) return res.status(404).json({ error: "not found" });
  res.json(item);
});

app.put("/items/:id", authenticate, (req, res) => {
  const item = items.get(Number(req.params.id));
  if (!item) return res.status(404).json({ error: "not found" });
  const { name, quantity } = req.body;
  if (name !== undefined) item.name = name;
  if (quantity !== undefined) item.quantity = quantity;
  res.json(item);
});

app.delete("/items/:id", authenticate, (req, res) => {
  if (!items.delete(Number(req.params.id))) return res.status(404).json({ error: "not found" });
  res.status(204).end();
});

app.get("/admin/users", authenticate, requireAdmin, (_req, res) => {
  res.json({ users: [...new Set([...items.values()].map((i) => i.createdBy))] });
});

const port = Number(process.env.PORT || 3000);
app.listen(port, "127.0.0.1", () => console.log(`express-items on 127.0.0.1:${port}`));
