package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hotswap/hotswap/control"
	"github.com/spf13/cobra"
)

// controlCommand sends one command to a running migration's socket, for
// hosts without nc: hotswap control --socket /tmp/h.sock status
func controlCommand() *cobra.Command {
	var socket string
	cmd := &cobra.Command{
		Use:   "control --socket FILE COMMAND",
		Short: "Send a command (status, throttle, chunk-size=N, unpostpone, panic, help...) to a running migration",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			reply, err := control.Send(ctx, socket, strings.Join(args, " "))
			fmt.Fprint(cmd.OutOrStdout(), reply)
			if err != nil {
				if reply == "" {
					fmt.Fprintln(cmd.ErrOrStderr(), "hotswap control:", err)
				}
				return exitError(exitFailed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&socket, "socket", "", "the --serve-socket-file of the running migration (required)")
	_ = cmd.MarkFlagRequired("socket")
	return cmd
}
