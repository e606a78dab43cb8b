package faulttest

import (
	"net"
	"sync"
	"testing"
)

// proxy is a TCP proxy on the loopback between sejour and one of its
// dependencies (PostgreSQL, the mail relay), which the test cuts or
// freezes: cut closes every connection and refuses new ones at once, as
// a crashed server or a broken network does; frozen keeps connections
// open but forwards nothing, as a hung server or a silent network
// partition does, which only timeouts can tell.
type proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	state  string // "up", "cut" or "frozen"
	thawed *sync.Cond
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, state: "up", conns: map[net.Conn]bool{}}
	p.thawed = sync.NewCond(&p.mu)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.set("cut") // closes what is open, wakes what waits
	})
	return p
}

// Addr is where sejour connects instead of the dependency.
func (p *proxy) Addr() string { return p.ln.Addr().String() }

// set switches the proxy to "up", "cut" or "frozen".
func (p *proxy) set(state string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = state
	if state == "cut" {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
	p.thawed.Broadcast()
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

// handle forwards one connection both ways, through the gate.
func (p *proxy) handle(client net.Conn) {
	p.mu.Lock()
	if p.state == "cut" {
		p.mu.Unlock()
		client.Close()
		return
	}
	p.conns[client] = true
	p.mu.Unlock()
	if !p.gate() {
		client.Close()
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	p.mu.Lock()
	if p.state == "cut" {
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.conns[server] = true
	p.mu.Unlock()
	go p.pipe(server, client)
	p.pipe(client, server)
}

// gate waits while the proxy is frozen and reports whether it is up.
func (p *proxy) gate() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.state == "frozen" {
		p.thawed.Wait()
	}
	return p.state == "up"
}

// pipe copies from src to dst, holding each chunk while the proxy is
// frozen; it closes both when either side ends or the proxy is cut.
func (p *proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.gate() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
