//go:build !linux

package stripemock

import "os/exec"

// setProcAttr does nothing where there is no parent-death signal: there,
// only stop ends stripe-mock.
func setProcAttr(*exec.Cmd) {}
