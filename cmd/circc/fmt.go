package main

func runFmt(e *env, args []string) int { return exitUsage }
