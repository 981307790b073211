// Bounded Server-Sent Events for the Go client.
package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

// Subscribe reads an SSE stream until maxEvents, maxDuration, or a final drop (bounded reconnects).
func (c *Client) Subscribe(path string, maxEvents int, maxDuration time.Duration) map[string]any {
	events := []any{}
	ctx, cancel := context.WithTimeout(context.Background(), maxDuration)
	defer cancel()
	c.sem <- struct{}{}
	defer func() { <-c.sem }()
	lastID := ""
	for reconnects := 0; ; reconnects++ {
		end, err := c.stream(ctx, path, &lastID, &events, maxEvents)
		if end != "" || err != nil {
			out := map[string]any{"events": events, "end": end}
			if err != nil {
				out["end"], out["error"] = "error", err.ToMap()
			}
			return out
		}
		if ctx.Err() != nil {
			return map[string]any{"events": events, "end": "max_duration"}
		}
		if reconnects >= 3 {
			return map[string]any{"events": events, "end": "closed"}
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff(reconnects + 1)):
		}
	}
}

func (c *Client) stream(ctx context.Context, path string, lastID *string, events *[]any, maxEvents int) (string, *RonError) {
	authz, aerr := c.auth()
	if aerr != nil {
		return "", aerr.(*RonError)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(c.o.BaseURL, "/")+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", authz)
	req.Header.Set("X-Request-ID", uuid4())
	if *lastID != "" {
		req.Header.Set("Last-Event-ID", *lastID)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "max_duration", nil
		}
		if e := classify(err, ctx); e.Type == "insecure" {
			return "", e
		}
		return "", nil
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, c.o.MaxResponseBytes))
		return "", ParseProblem(resp.StatusCode, resp.Header.Get("Content-Type"), data, "")
	}
	r := bufio.NewReader(io.LimitReader(resp.Body, c.o.MaxResponseBytes))
	ev := map[string]any{}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			if ctx.Err() != nil {
				return "max_duration", nil
			}
			return "", nil // dropped: the caller reconnects (bounded)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if _, ok := ev["data"]; ok {
				if _, ok := ev["event"]; !ok {
					ev["event"] = "message"
				}
				*events = append(*events, ev)
				if id, ok := ev["id"].(string); ok {
					*lastID = id
				}
				if len(*events) >= maxEvents {
					return "max_events", nil
				}
			}
			ev = map[string]any{}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "data":
			if prev, ok := ev["data"].(string); ok {
				value = prev + "\n" + value
			}
			ev["data"] = value
		case "id", "event":
			ev[field] = value
		}
	}
}
