//go:build !linux

package funds

// adviseHugePages does nothing outside Linux.
func adviseHugePages[T any](s []T) {}
