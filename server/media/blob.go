// Package media keeps uploaded files: the blob store (files on disk by
// default, S3-compatible storage by URL) and the checks uploads must pass.
package media

import (
	"context"
	"fmt"
	"net/url"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// buckets, the default
	_ "gocloud.dev/blob/s3blob"   // s3:// buckets for several instances
)

// OpenBucket opens the blob store at POLICEBOOTH_BLOB_URL. A file:// folder
// is created when missing, and its temporary files are written beside the
// final ones so a rename never crosses file systems.
func OpenBucket(ctx context.Context, rawURL string) (*blob.Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("media: POLICEBOOTH_BLOB_URL: %w", err)
	}
	if u.Scheme == "file" {
		q := u.Query()
		for _, k := range []string{"create_dir", "no_tmp_dir"} {
			if q.Get(k) == "" {
				q.Set(k, "1")
			}
		}
		q.Set("metadata", "skip")
		u.RawQuery = q.Encode()
	}
	b, err := blob.OpenBucket(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("media: open blob store %s: %w", u.Redacted(), err)
	}
	return b, nil
}
