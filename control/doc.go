// Package control is the command server a DBA talks to while a migration
// runs, with gh-ost's protocol: connect to a unix socket (or 127.0.0.1:port),
// send one command line, read the reply, and the server closes the
// connection. `echo status | nc -U /tmp/hotswap.sock` is enough of a client;
// Send is the one hotswap itself uses.
//
// The server only translates lines into calls on a Target (the running
// migration): it checks the syntax of what it can, and leaves every policy
// (which knobs exist, their ranges, when a cut-over may be released) to the
// Target.
package control
