package control

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"time"
)

// maxSocketPath is the room in sockaddr_un's sun_path on Linux, less the NUL.
const maxSocketPath = 107

// probeTimeout bounds the connect that tells a live socket from a stale one.
const probeTimeout = time.Second

// listenSocket binds path as a unix socket of mode 0600. It refuses a path a
// live process serves, and replaces a socket file a dead one left behind. The
// FileInfo identifies the file for removeSocket.
func listenSocket(path string) (*net.UnixListener, os.FileInfo, error) {
	if len(path) > maxSocketPath {
		return nil, nil, fmt.Errorf("control socket %s: path is %d bytes, at most %d fit", path, len(path), maxSocketPath)
	}
	if err := clearStale(path); err != nil {
		return nil, nil, err
	}
	return bindPrivate(path)
}

// clearStale removes a socket file whose server is gone. It refuses a socket
// that accepts connections, one it cannot probe, and anything not a socket:
// a mistyped path must not delete someone's file.
func clearStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("control socket %s: exists and is not a socket; not touching it", path)
	}
	c, err := net.DialTimeout("unix", path, probeTimeout)
	if err == nil {
		c.Close()
		return fmt.Errorf("control socket %s is served by a live process (another hotswap?)", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("control socket %s: cannot tell whether a process serves it: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("control socket %s: removing the stale file: %w", path, err)
	}
	return nil
}

// bindPrivate binds path with mode 0600 from the start. Binding the usual
// way creates the file with the umask's mode, and until a chmod anyone the
// umask lets in could connect and, say, panic the migration. Linux gives the
// file the socket's own mode, which privateMode sets before the bind; the
// chmod after is for systems that do not. bind fails if path exists, so of
// two processes racing for a stale path only one wins.
func bindPrivate(path string) (*net.UnixListener, os.FileInfo, error) {
	fail := func(err error) (*net.UnixListener, os.FileInfo, error) {
		return nil, nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	lc := net.ListenConfig{Control: privateMode}
	l, err := lc.Listen(context.Background(), "unix", path)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fail(errors.New("another process created it meanwhile"))
	}
	if err != nil {
		return fail(err)
	}
	ul := l.(*net.UnixListener)
	ul.SetUnlinkOnClose(false) // removeSocket checks the file is still ours
	fi, err := os.Lstat(path)
	if err == nil {
		err = os.Chmod(path, 0o600)
	}
	if err != nil {
		ul.Close()
		os.Remove(path)
		return fail(err)
	}
	return ul, fi, nil
}

// privateMode makes the socket 0600 before it is bound.
func privateMode(_, _ string, c syscall.RawConn) error {
	var err error
	if cerr := c.Control(func(fd uintptr) { err = syscall.Fchmod(int(fd), 0o600) }); cerr != nil {
		return cerr
	}
	return err
}

// removeSocket removes path if it is still the file this server bound: it
// may have been moved aside and another server started there.
func removeSocket(path string, ours os.FileInfo) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	if !os.SameFile(fi, ours) {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	return nil
}
