package funds

import (
	"syscall"
	"unsafe"
)

// adviseHugePages asks Linux to back a large, not yet touched array with
// 2 MiB pages (transparent huge pages in "madvise" mode): a trace reads
// rows and out-edges at random across hundreds of megabytes, and with 4 KiB
// pages nearly every such read also misses the TLB. Failure is harmless.
func adviseHugePages[T any](s []T) {
	if len(s) == 0 {
		return
	}
	size := uintptr(len(s)) * unsafe.Sizeof(s[0])
	if size < 4<<20 {
		return
	}
	const huge = 2 << 20
	start := uintptr(unsafe.Pointer(&s[0]))
	lo := (start + huge - 1) &^ (huge - 1)
	hi := (start + size) &^ (huge - 1)
	if hi <= lo {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(&s[0]), lo-start)), hi-lo)
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}
