package control

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

func TestSocketIsPrivate(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	fi, err := os.Lstat(ts.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a socket of mode 0600", fi.Mode())
	}
	entries, err := os.ReadDir(filepath.Dir(ts.SocketPath()))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %v, want only the socket", entries)
	}
}

func TestSecondListenOnLiveSocketFails(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	_, err := Listen(Options{SocketPath: ts.SocketPath()}, newFake())
	if err == nil || !strings.Contains(err.Error(), ts.SocketPath()) || !strings.Contains(err.Error(), "live process") {
		t.Fatalf("second Listen: %v, want an error naming the path and a live process", err)
	}
	if got := ts.send(t, "chunk-size=?"); got != "1000" {
		t.Errorf("first server after the second Listen: %q", got)
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false) // leave the file, as a killed process would
	l.Close()
	ts := startServer(t, Options{SocketPath: path}, nil)
	if got := ts.send(t, "chunk-size=?"); got != "1000" {
		t.Errorf("server on a stale path: %q", got)
	}
}

func TestNonSocketFileIsKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Listen(Options{SocketPath: path}, newFake())
	if err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("Listen on a regular file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Errorf("the file was changed: %q", b)
	}
}

func TestSocketPathTooLong(t *testing.T) {
	path := filepath.Join(t.TempDir(), strings.Repeat("s", 120))
	if _, err := Listen(Options{SocketPath: path}, newFake()); err == nil || !strings.Contains(err.Error(), "at most 107") {
		t.Fatalf("Listen on a long path: %v", err)
	}
}

func TestSocketRemovedAfterServe(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	ts.shutdown(t)
	if _, err := os.Lstat(ts.SocketPath()); !os.IsNotExist(err) {
		t.Errorf("socket file after Serve: %v, want it removed", err)
	}
}

func TestCloseWithoutServe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.sock")
	s, err := Listen(Options{SocketPath: path, TCPPort: AnyPort}, newFake())
	if err != nil {
		t.Fatal(err)
	}
	addr := s.TCPAddr()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("socket file after Close: %v", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("TCP port still open after Close")
	}
}

// A socket file replaced after Listen (moved aside, another server started)
// is not the server's to remove.
func TestReplacedSocketIsNotRemoved(t *testing.T) {
	ts := startServer(t, Options{}, nil)
	path := ts.SocketPath()
	if err := os.Rename(path, path+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ts.shutdown(t)
	if _, err := os.Lstat(path); err != nil {
		t.Errorf("the other file was removed: %v", err)
	}
}

// The socket must be 0600 from its bind, not from the chmod after it: with
// umask 0 a plain bind would make it 0777 for that moment.
func TestBindIsPrivateBeforeChmod(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the mode is set before bind on Linux only")
	}
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "c.sock")
	lc := net.ListenConfig{Control: privateMode}
	l, err := lc.Listen(context.Background(), "unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode at bind %v, want 0600", fi.Mode().Perm())
	}
}

// Between clearStale and the bind another process may take the path: the
// bind itself must refuse, not replace it.
func TestBindRefusesExistingPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.sock")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := bindPrivate(path); err == nil || !strings.Contains(err.Error(), "meanwhile") {
		t.Fatalf("bind over an existing file: %v", err)
	}
}
