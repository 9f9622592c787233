package localcluster

import (
	"fmt"
	"net"
	"strings"
	"sync"
)

// handedOut remembers every port this process has picked, so clusters started
// in parallel never get the same one. Another process may still take a port
// between pick and use; startCluster retries with fresh ports when a log says
// "address already in use".
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freePorts returns n distinct loopback TCP ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	var ports []int
	for attempts := 0; len(ports) < n; attempts++ {
		if attempts > 100*n {
			return nil, fmt.Errorf("could not find %d free loopback ports", n)
		}
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		if handedOut.ports[port] {
			continue
		}
		handedOut.ports[port] = true
		ports = append(ports, port)
	}
	return ports, nil
}

// freePort binds 127.0.0.1:0 and releases it, returning the port the kernel
// chose.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// isPortClash reports whether a start failure looks like a lost race for a
// port.
func isPortClash(err error) bool {
	return err != nil && strings.Contains(err.Error(), "address already in use")
}
