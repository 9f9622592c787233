// Package localcluster starts real Kubernetes control planes on loopback for
// tests, benchmarks and the demo.
//
// Each cluster is a set of child processes built from source by
// hack/kube/build.sh: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok. kwok plays the kubelet: it drives one fake Node
// (created by this package, annotated kwok.x-k8s.io/node=fake) and the pods
// bound to it through the stages in kwok-stages.yaml, so Deployments become
// Available and Jobs Complete without any container runtime. A cluster costs
// about 600 MB of memory.
//
// Start brings up several clusters in parallel, each on its own free loopback
// ports and in its own directory under a fresh temporary directory, and waits
// until each answers /readyz, has a Ready node and a default ServiceAccount.
// The returned Env gives a kubeconfig with one context per cluster (context
// name = cluster name), a rest.Config per cluster, and Stop/Close to tear
// clusters down:
//
//	func TestSomething(t *testing.T) {
//		bin := localcluster.RequireBinaries(t)
//		env, err := localcluster.Start(ctx, localcluster.Options{
//			Names: []string{"east", "west"}, BinDir: bin, Logf: t.Logf})
//		if err != nil {
//			t.Fatal(err)
//		}
//		t.Cleanup(env.Close)
//		cs := kubernetes.NewForConfigOrDie(env.RESTConfig("east"))
//		...
//	}
//
// Binaries are found in $GITWAVE_KUBE_BIN, or else in the cache that
// hack/kube/build.sh fills ($GITWAVE_KUBE_CACHE or ~/.cache/gitwave/kube,
// then <kube version>/bin). Component output goes to <cluster>/<component>.log
// under Env.WorkDir; a failed start quotes the tail of the failing log.
//
// Child processes run in their own process groups and, on Linux, are killed
// when the test process dies, so an aborted test leaves no clusters behind.
package localcluster
