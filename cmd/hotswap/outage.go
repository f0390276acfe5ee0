package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hotswap/hotswap/job"
	"github.com/hotswap/hotswap/migration"
)

// maxOutages is how many times one command waits out its server going away.
const maxOutages = 3

// attempt runs a migration or a backfill once, resuming its checkpoint if
// resume is set; resumable says whether a checkpoint exists to resume from.
type attempt func(ctx context.Context, resume bool) (resumable bool, err error)

// outlastOutages runs try; when the server goes away mid-run (restart,
// network cut) it waits up to timeout for the server to answer again and
// runs try once more, resuming from the checkpoint, at most maxOutages
// times. server names the engine and connection to wait for. Any other
// ending, and every refusal, is returned as it is.
func outlastOutages(ctx context.Context, server migration.Config, timeout time.Duration, resume bool, try attempt) error {
	for n := 1; ; n++ {
		resumable, err := try(ctx, resume)
		if timeout <= 0 || n > maxOutages || ctx.Err() != nil || !wentAway(err) {
			return err
		}
		server.Log.Warn().Err(err).Dur("wait", timeout).Msg("the server went away; waiting for it, then resuming from the checkpoint")
		if werr := migration.WaitForServer(ctx, server, timeout); werr != nil {
			server.Log.Error().Err(werr).Msg("not resumed: run the same command with --resume once the server is back")
			return err
		}
		if resumable {
			fmt.Fprintln(server.Out, "The server answers again: resuming from the checkpoint.")
		} else {
			fmt.Fprintln(server.Out, "The server answers again: starting over (the run had not written its checkpoint yet).")
		}
		resume = resume || resumable
	}
}

// wentAway says whether a run ended because its server went away rather
// than for a reason of its own (a refusal never counts).
func wentAway(err error) bool {
	return migration.ServerWentAway(err) && !job.IsRefused(err)
}
