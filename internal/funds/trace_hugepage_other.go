//go:build !linux

package funds

// adviseHugePages does nothing outside Linux.
func adviseHugePages[T any](s []T) {}

// collapseHugePages does nothing outside Linux.
func (l *Ledger) collapseHugePages() {}
