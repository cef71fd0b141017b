#pragma once
// The Store over an S3 service: key "bucket/path" is object "path" of bucket "bucket".
#include "objstore/s3_client.hpp"
#include "objstore/store.hpp"

namespace akko::objstore {

struct S3StoreOptions {
	S3ClientOptions client;
	// Objects above this size are uploaded in parts of part_size bytes (S3 wants 5 MiB at least,
	// 10,000 parts at most; larger objects get larger parts).
	uint64_t multipart_threshold = uint64_t(16) << 20;
	uint64_t part_size = uint64_t(8) << 20;
	int upload_threads = 4; // parts in flight at once
};

std::unique_ptr<Store> OpenS3Store(S3StoreOptions options);

} // namespace akko::objstore
