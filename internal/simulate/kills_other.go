//go:build !linux

package simulate

import "os/exec"

// dieWithParent does nothing where the kernel cannot kill a child with
// its parent: the engine then stops when its database goes away.
func dieWithParent(*exec.Cmd) {}
