package stripemock

import (
	"os/exec"
	"syscall"
)

// setProcAttr has the kernel kill stripe-mock when the process that
// started it dies without calling stop (a test binary that panics or hits
// go test's -timeout), so that no stripe-mock outlives it.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
