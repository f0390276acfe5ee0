package throttle

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

func (t *Throttler) collectQuery(ctx context.Context) {
	q := t.settings.snapshot().throttleQuery
	if q == "" {
		t.mu.Lock()
		t.query = queryResult{}
		t.mu.Unlock()
		return
	}
	cctx, cancel := context.WithTimeout(ctx, sqlTimeout)
	defer cancel()
	val, err := scalarQuery(cctx, t.cfg.Primary, q)
	if ctx.Err() != nil {
		return
	}
	t.mu.Lock()
	t.query = queryResult{query: q, value: val, err: err}
	t.mu.Unlock()
	t.noteErr("throttle-query", err)
}

func (t *Throttler) collectHTTP(ctx context.Context) {
	u := t.settings.snapshot().throttleHTTP
	if u == "" {
		t.mu.Lock()
		t.web = httpResult{}
		t.mu.Unlock()
		return
	}
	code, err := t.httpStatus(ctx, u)
	if ctx.Err() != nil {
		return
	}
	t.mu.Lock()
	t.web = httpResult{url: u, code: code, err: err}
	t.mu.Unlock()
	t.noteErr("throttle-http", err)
}

// httpStatus sends HEAD to u, as gh-ost does, and returns the status code.
func (t *Throttler) httpStatus(ctx context.Context, u string) (int, error) {
	cctx, cancel := context.WithTimeout(ctx, httpTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodHead, u, nil)
	if err != nil {
		return 0, fmt.Errorf("request to %s: %w", u, err)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, err // a *url.Error: names the method and the URL
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
