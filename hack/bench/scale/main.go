// Command scale writes a scaled example GitOps repository for the
// benchmarks, with examplerepo.Scale, and optionally commits a change to one
// of its apps with examplerepo.ScaleChange.
//
// Usage:
//
//	scale -dir DIR -apps N -clusters M [-change]
//
// With -change it prints the changed repository paths, one a line.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gitwave/gitwave/hack/examplerepo"
)

func main() {
	dir := flag.String("dir", "", "empty or new folder to write the repository into")
	apps := flag.Int("apps", 300, "number of apps")
	clusters := flag.Int("clusters", 3, "number of clusters")
	change := flag.Bool("change", false, "commit a change to one app after writing the repository")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "scale: -dir is required")
		os.Exit(2)
	}
	if err := examplerepo.Scale(*dir, *apps, *clusters); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
	if !*change {
		return
	}
	changed, err := examplerepo.ScaleChange(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
	for _, p := range changed {
		fmt.Println(p)
	}
}
