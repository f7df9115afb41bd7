package main

import "context"

func runSoak(ctx context.Context, args []string) error { return nil }
