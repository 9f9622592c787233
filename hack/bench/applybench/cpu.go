package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of the CPU times in /proc/PID/stat (USER_HZ,
// 100 on every Linux architecture Go supports).
const clockTick = 10 * time.Millisecond

// cpuMeter reads the CPU time of the cluster's processes, of this process
// and of its finished children (the kubectl runs), to tell where the time
// of a timed run went. Linux only; elsewhere it measures nothing.
type cpuMeter struct {
	// pids maps a component (the base name of its binary) to its process.
	pids map[string]int
}

// newCPUMeter finds the processes whose command line names workDir: the
// components of the cluster started there.
func newCPUMeter(workDir string) *cpuMeter {
	m := &cpuMeter{pids: map[string]int{}}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte(workDir)) {
			continue
		}
		bin, _, _ := bytes.Cut(cmdline, []byte{0})
		m.pids[filepath.Base(string(bin))] = pid
	}
	return m
}

// cpuSample is the CPU time used so far, by process name.
type cpuSample map[string]time.Duration

// sample reads the CPU time of every process now.
func (m *cpuMeter) sample() cpuSample {
	s := cpuSample{}
	for name, pid := range m.pids {
		if d, err := procCPU(strconv.Itoa(pid)); err == nil {
			s[name] = d
		}
	}
	if d, err := procCPU("self"); err == nil {
		s["applybench"] = d
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		s["kubectl"] = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return s
}

// since renders the CPU time used between s and now, busiest first.
func (m *cpuMeter) since(s cpuSample) string {
	now := m.sample()
	type use struct {
		name string
		d    time.Duration
	}
	var uses []use
	for name, d := range now {
		if used := d - s[name]; used >= 50*time.Millisecond {
			uses = append(uses, use{name, used})
		}
	}
	var parts []string
	for len(uses) > 0 {
		best := 0
		for i, u := range uses {
			if u.d > uses[best].d {
				best = i
			}
		}
		parts = append(parts, fmt.Sprintf("%s %.1f", uses[best].name, uses[best].d.Seconds()))
		uses = append(uses[:best], uses[best+1:]...)
	}
	return "CPU s: " + strings.Join(parts, ", ")
}

// procCPU returns utime+stime of /proc/PID/stat.
func procCPU(pid string) (time.Duration, error) {
	data, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// count fields after its closing one. utime and stime are fields 14
	// and 15, so the 12th and 13th after it.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%s/stat: no command name", pid)
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%s/stat: %d fields", pid, len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%s/stat: bad CPU times", pid)
	}
	return time.Duration(utime+stime) * clockTick, nil
}
