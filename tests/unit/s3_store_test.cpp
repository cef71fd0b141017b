// The S3 store and its block cache against a real S3 service. Skipped unless
// AKKO_TEST_S3_ENDPOINT (with _ACCESS_KEY_ID, _SECRET_ACCESS_KEY and _BUCKET) names one:
// tests/integration/test_lake_s3.py runs it against a Ceph RGW it starts, and checks with boto3
// the multipart object this test leaves behind.
#include "common/error.hpp"
#include "objstore/block_cache.hpp"
#include "objstore/s3_store.hpp"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>

using namespace akko::objstore;

namespace {

std::string Env(const char *name) {
	auto *value = std::getenv(name);
	return value ? value : "";
}

class S3StoreTest : public ::testing::Test {
protected:
	void SetUp() override {
		// Run by tests/integration/test_lake_s3.py against the Ceph RGW it starts, never alone.
		ASSERT_FALSE(Env("AKKO_TEST_S3_ENDPOINT").empty()) << "AKKO_TEST_S3_ENDPOINT is not set";
		options.client.endpoint = Env("AKKO_TEST_S3_ENDPOINT");
		options.client.access_key_id = Env("AKKO_TEST_S3_ACCESS_KEY_ID");
		options.client.secret_access_key = Env("AKKO_TEST_S3_SECRET_ACCESS_KEY");
		bucket = Env("AKKO_TEST_S3_BUCKET");
		store = OpenS3Store(options);
	}

	S3StoreOptions options;
	std::string bucket;
	std::unique_ptr<Store> store;
};

// Byte i is (i * 131 + i / 4096) mod 256: no part of it repeats at a part boundary.
std::string Pattern(size_t size) {
	std::string data(size, '\0');
	for (size_t i = 0; i < size; i++) {
		data[i] = static_cast<char>((i * 131 + i / 4096) & 0xFF);
	}
	return data;
}

} // namespace

TEST_F(S3StoreTest, MultipartPutRoundTripsWithRanges) {
	auto data = Pattern((size_t(17) << 20) + 12345);
	auto key = bucket + "/store-test/multipart.bin";
	store->Put(key, data);
	auto info = store->Head(key);
	ASSERT_TRUE(info);
	EXPECT_EQ(info->size, data.size());
	EXPECT_GT(info->modified_unix_ms, 1700000000000);
	EXPECT_EQ(store->Get(key), data);
	// Across the boundary between the first and second 8 MiB part.
	auto offset = (uint64_t(8) << 20) - 100;
	EXPECT_EQ(store->Get(key, ByteRange {offset, 300}), data.substr(offset, 300));
	EXPECT_EQ(store->Get(key, ByteRange {data.size() - 10, std::nullopt}), data.substr(data.size() - 10));
	EXPECT_EQ(store->Get(key, ByteRange {data.size() - 10, 1000}), data.substr(data.size() - 10));
	EXPECT_EQ(store->Get(key, ByteRange {data.size() + 5, 10}), "");

	// The same through PutFile from a local file, in parts read from disk.
	auto path = std::filesystem::temp_directory_path() / "akko-s3-store-test.bin";
	{
		FILE *file = std::fopen(path.c_str(), "wb");
		std::fwrite(data.data(), 1, data.size(), file);
		std::fclose(file);
	}
	store->PutFile(bucket + "/store-test/from-file.bin", path.string());
	std::filesystem::remove(path);
	EXPECT_EQ(store->Get(bucket + "/store-test/from-file.bin"), data);
	EXPECT_TRUE(store->Delete(bucket + "/store-test/from-file.bin"));
}

TEST_F(S3StoreTest, ListPagesInBinaryOrder) {
	auto prefix = bucket + "/list-test/";
	std::vector<std::string> keys;
	for (int i = 0; i < 1003; i++) {
		keys.push_back(prefix + "k" + std::to_string(i));
	}
	for (auto name : {"a", "a-b", "a/b", "\xc3\xa9", "Z"}) {
		keys.push_back(prefix + name);
	}
	for (auto &key : keys) {
		store->Put(key, key);
	}
	auto listed = store->List(prefix);
	std::sort(keys.begin(), keys.end());
	ASSERT_EQ(listed.size(), keys.size());
	for (size_t i = 0; i < keys.size(); i++) {
		EXPECT_EQ(listed[i].key, keys[i]);
		EXPECT_EQ(listed[i].size, keys[i].size());
	}
	EXPECT_TRUE(store->List(prefix + "nothing").empty());
	for (auto &key : keys) {
		EXPECT_TRUE(store->Delete(key));
	}
	EXPECT_TRUE(store->List(prefix).empty());
}

TEST_F(S3StoreTest, MissingObjectsAndErrors) {
	auto key = bucket + "/store-test/missing";
	EXPECT_FALSE(store->Head(key));
	EXPECT_FALSE(store->Delete(key));
	try {
		store->Get(key);
		FAIL() << "Get of a missing object returned";
	} catch (const akko::Error &error) {
		EXPECT_EQ(error.code, akko::ErrorCode::NotFound);
	}
	EXPECT_THROW(store->Sync(key), akko::Error);

	auto wrong = options;
	wrong.client.secret_access_key = "not-the-secret";
	try {
		OpenS3Store(wrong)->Put(key, "x");
		FAIL() << "a request signed with the wrong secret was accepted";
	} catch (const akko::Error &error) {
		EXPECT_EQ(error.code, akko::ErrorCode::PermissionDenied);
		EXPECT_NE(error.message.find("SignatureDoesNotMatch"), std::string::npos) << error.message;
	}
}

TEST_F(S3StoreTest, BlockCacheFetchesRunsOnceAndEvicts) {
	auto data = Pattern(5 * 1000 + 7);
	auto key = bucket + "/store-test/cached.bin";
	store->Put(key, data);
	auto directory = std::filesystem::temp_directory_path() / "akko-block-cache-test";
	// Three blocks of 1000 bytes: the object has six, so reading it all evicts.
	BlockCache cache(*store, directory.string(), 3000, 1000);
	std::string out(data.size(), '\0');
	cache.Read(key, data.size(), 1500, 2000, out.data());
	EXPECT_EQ(out.substr(0, 2000), data.substr(1500, 2000));
	auto counters = cache.Snapshot();
	EXPECT_EQ(counters.requests, 1u); // blocks 1..3 in one ranged GET
	EXPECT_EQ(counters.misses, 3u);
	cache.Read(key, data.size(), 1000, 3000, out.data());
	EXPECT_EQ(out.substr(0, 3000), data.substr(1000, 3000));
	counters = cache.Snapshot();
	EXPECT_EQ(counters.requests, 1u);
	EXPECT_EQ(counters.hits, 3u);
	cache.Read(key, data.size(), 0, data.size(), out.data());
	EXPECT_EQ(out, data);
	cache.Read(key, data.size(), 1000, 10, out.data()); // evicted by the full read
	EXPECT_EQ(out.substr(0, 10), data.substr(1000, 10));
	EXPECT_GE(cache.Snapshot().requests, 3u);
	BlockCache uncached(*store, directory.string(), 0);
	uncached.Read(key, data.size(), data.size() - 7, 7, out.data());
	EXPECT_EQ(out.substr(0, 7), data.substr(data.size() - 7));
	std::filesystem::remove_all(directory);
}
