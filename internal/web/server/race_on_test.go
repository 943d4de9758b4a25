//go:build race

package server

// raceBuild: the race detector keeps shadow memory for every heap byte the
// test touches, so resident size under -race measures the detector, not
// the product.
const raceBuild = true
