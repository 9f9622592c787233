package main

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// namespaceTimeout bounds deleting a namespace of ~1000 objects, and
// waiting for a new one's default ServiceAccount.
const namespaceTimeout = 3 * time.Minute

// replaceNamespaces deletes the namespaces old, waits until they are gone,
// and creates the namespaces fresh, each with its default ServiceAccount
// (without it, the ReplicaSet controller cannot create pods and backs off,
// which would time the controller's backoff rather than the tool).
//
// Fresh names, not old ones created again: the ReplicaSet controller keeps
// its expectations by namespace and name for up to 5 minutes, so a
// ReplicaSet created again under a deleted one's name can wait that long
// for its pods.
func replaceNamespaces(ctx context.Context, cs kubernetes.Interface, old, fresh []string) error {
	for _, n := range old {
		err := cs.CoreV1().Namespaces().Delete(ctx, n, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete namespace %s: %w", n, err)
		}
	}
	for _, n := range old {
		if err := poll(ctx, "namespace "+n+" to be gone", func() (bool, error) {
			_, err := cs.CoreV1().Namespaces().Get(ctx, n, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return true, nil
			}
			return false, err
		}); err != nil {
			return err
		}
	}
	for _, n := range fresh {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n}}
		if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create namespace %s: %w", n, err)
		}
	}
	for _, n := range fresh {
		if err := poll(ctx, "ServiceAccount "+n+"/default", func() (bool, error) {
			_, err := cs.CoreV1().ServiceAccounts(n).Get(ctx, "default", metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return false, nil
			}
			return err == nil, err
		}); err != nil {
			return err
		}
	}
	return nil
}

// poll calls done every 250 ms until it reports true or fails, for at most
// namespaceTimeout.
func poll(ctx context.Context, what string, done func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, namespaceTimeout)
	defer cancel()
	for {
		ok, err := done()
		if err != nil {
			return fmt.Errorf("wait for %s: %w", what, err)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w", what, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
