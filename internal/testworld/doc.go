// Package testworld builds the test county that the assess, consult,
// dissuade and instruction tests share: 云溪县 with two stations (青石派出所
// and 城关派出所), a town and a village under each, a dissuader on duty in each
// station, a duty officer at the county centre, and the warning intake on a
// fixed clock (2026-11-02 10:00 Shanghai), plus the small assertions those
// tests use, and ReadVictims, the plain-loop relapse oracle that the
// dissuade and sim tests check the dissuasion rates against.
//
// It is a normal package so that tests of several packages can import it, but
// only tests may: TestOnlyTestsImportTestworld fails on a non-test file under
// cmd/ or internal/ that imports it.
package testworld
