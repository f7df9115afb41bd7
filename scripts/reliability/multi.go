package main

import "context"

func runMulti(ctx context.Context, args []string) error { return nil }
