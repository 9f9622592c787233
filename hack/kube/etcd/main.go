// Command etcd is etcd v3.6, built from go.etcd.io/etcd/server/v3 for the
// gitwave local-cluster test environment (see ../README.md).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
