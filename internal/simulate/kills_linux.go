package simulate

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill the engine if the simulation itself
// dies (a test timed out, an operator's kill -9): no engine outlives its run.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
