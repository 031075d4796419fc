//go:build !unix

package main

const fsizeSwitch = "AWSSESSION_TEST_FSIZE"

func limitFileSizeFromEnv() {}
