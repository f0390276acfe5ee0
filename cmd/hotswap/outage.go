package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hotswap/hotswap/engine"
	"github.com/hotswap/hotswap/internal/dbconn"
	"github.com/rs/zerolog"
)

// maxOutages is how many times one command waits out its server going away.
const maxOutages = 3

// attempt runs a migration or a backfill once, resuming its checkpoint if
// resume is set; resumable says whether a checkpoint exists to resume from.
type attempt func(ctx context.Context, resume bool) (resumable bool, err error)

// server is the server a run waits for when it goes away.
type server struct {
	engine string
	conn   dbconn.Config
	log    zerolog.Logger
	out    io.Writer
}

// outlastOutages runs try; when the server goes away mid-run (restart,
// network cut) it waits up to timeout for the server to answer again and
// runs try once more, resuming from the checkpoint, at most maxOutages
// times. Any other ending, and every refusal, is returned as it is.
func outlastOutages(ctx context.Context, srv server, timeout time.Duration, resume bool, try attempt) error {
	for n := 1; ; n++ {
		resumable, err := try(ctx, resume)
		if timeout <= 0 || n > maxOutages || ctx.Err() != nil || !engine.ServerWentAway(err) {
			return err
		}
		srv.log.Warn().Err(err).Dur("wait", timeout).Msg("the server went away; waiting for it, then resuming from the checkpoint")
		if werr := engine.WaitForServer(ctx, srv.engine, srv.conn, timeout); werr != nil {
			srv.log.Error().Err(werr).Msg("not resumed: run the same command with --resume once the server is back")
			return err
		}
		if resumable {
			fmt.Fprintln(srv.out, "The server answers again: resuming from the checkpoint.")
		} else {
			fmt.Fprintln(srv.out, "The server answers again: starting over (the run had not written its checkpoint yet).")
		}
		resume = resume || resumable
	}
}
