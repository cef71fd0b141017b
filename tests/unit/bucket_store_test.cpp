// The bucket store (the S3 view of the local store): attributes and MD5 ETags, atomic and
// conditional commits, hostile and odd keys, listing against a brute-force model, multipart
// uploads, and files the lake wrote.
#include "common/error.hpp"
#include "objstore/bucket_store.hpp"
#include "objstore/store.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <random>
#include <set>
#include <thread>

namespace fs = std::filesystem;
using namespace akko::objstore;

namespace {

// A second MD5: OpenSSL's one-shot digest of the whole content, not the store's streaming one.
std::string Md5Hex(const std::string &data) {
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int length = 0;
	EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
	std::string out;
	for (unsigned int i = 0; i < length; i++) {
		out += fmt::format("{:02x}", digest[i]);
	}
	return out;
}

std::string ReadAll(ObjectReader &reader) {
	std::string data(reader.Version().size, '\0');
	EXPECT_EQ(reader.Read(0, data.data(), data.size()), data.size());
	return data;
}

class BucketStoreTest : public ::testing::Test {
protected:
	void SetUp() override {
		root = fs::temp_directory_path() / ("akko-buckets-" + std::to_string(::getpid()) + "-" +
		                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
		fs::remove_all(root);
		store = OpenLocalBucketStore((root / "objects").string());
		ASSERT_TRUE(store->CreateBucket("bkt"));
	}
	void TearDown() override {
		store.reset();
		fs::remove_all(root);
	}

	ObjectVersion Put(const std::string &key, const std::string &data, const ObjectAttributes &attributes = {}) {
		auto writer = store->Create("bkt", key);
		writer->Write(data);
		return writer->Commit(attributes);
	}

	std::optional<std::string> Get(const std::string &key) {
		auto reader = store->Open("bkt", key);
		if (!reader) {
			return std::nullopt;
		}
		return ReadAll(*reader);
	}

	std::vector<std::string> AllKeys() {
		std::vector<std::string> keys;
		ListRequest request;
		request.max_keys = 100000;
		for (auto &object : store->List("bkt", request).objects) {
			keys.push_back(object.key);
		}
		return keys;
	}

	fs::path root;
	std::unique_ptr<BucketStore> store;
};

TEST_F(BucketStoreTest, AttributesAndMd5EtagsRoundTrip) {
	ObjectAttributes attributes;
	attributes.content_headers = {{"content-type", "text/plain; charset=utf-8"}, {"cache-control", "no-cache"}};
	// Header values are bytes, not necessarily UTF-8.
	attributes.user_metadata = {{"owner", "d\xe9j\xe0"}, {"empty", ""}};
	attributes.checksums = {{"crc32", "DUoRhQ=="}};
	auto written = Put("docs/hello.txt", "hello world", attributes);
	EXPECT_EQ(written.etag, "5eb63bbbe01eeed093cb22bb8f5acdc3");
	EXPECT_EQ(written.size, 11u);

	auto head = store->Head("bkt", "docs/hello.txt");
	ASSERT_TRUE(head);
	EXPECT_EQ(head->etag, "5eb63bbbe01eeed093cb22bb8f5acdc3");
	EXPECT_EQ(head->attributes.content_headers, attributes.content_headers);
	EXPECT_EQ(head->attributes.user_metadata, attributes.user_metadata);
	EXPECT_EQ(head->attributes.checksums, attributes.checksums);
	EXPECT_EQ(head->modified_unix_ms, written.modified_unix_ms);
	EXPECT_EQ(Get("docs/hello.txt"), "hello world");
	// Where the lake finds it.
	EXPECT_TRUE(fs::is_regular_file(root / "objects" / "bkt" / "docs" / "hello.txt"));

	EXPECT_EQ(Put("empty", "").etag, "d41d8cd98f00b204e9800998ecf8427e");
	std::string large(3 << 20, '\0');
	std::mt19937 random(7);
	for (auto &c : large) {
		c = static_cast<char>(random());
	}
	auto writer = store->Create("bkt", "large.bin");
	for (size_t offset = 0; offset < large.size(); offset += 100000) {
		writer->Write(std::string_view(large).substr(offset, 100000));
	}
	EXPECT_EQ(writer->Md5Hex(), Md5Hex(large));
	EXPECT_EQ(writer->Commit({}).etag, Md5Hex(large));
	auto reader = store->Open("bkt", "large.bin");
	ASSERT_TRUE(reader);
	EXPECT_EQ(reader->Version().etag, Md5Hex(large));
	std::string middle(10, '\0');
	EXPECT_EQ(reader->Read(1000, middle.data(), 10), 10u);
	EXPECT_EQ(middle, large.substr(1000, 10));
	EXPECT_EQ(reader->Read(large.size() - 4, middle.data(), 10), 4u);

	// Replacing an object replaces its attributes too.
	Put("docs/hello.txt", "bye");
	EXPECT_TRUE(store->Head("bkt", "docs/hello.txt")->attributes.content_headers.empty());
	EXPECT_EQ(store->Head("bkt", "docs/hello.txt")->etag, Md5Hex("bye"));
	EXPECT_FALSE(store->Head("bkt", "missing"));
	EXPECT_FALSE(store->Open("bkt", "missing"));
	EXPECT_THROW(store->Head("nobucket", "x"), akko::Error);
}

TEST_F(BucketStoreTest, AnUncommittedWriterLeavesNothing) {
	{
		auto writer = store->Create("bkt", "never");
		writer->Write("partial");
	}
	EXPECT_FALSE(store->Head("bkt", "never"));
	for (auto &entry : fs::recursive_directory_iterator(root)) {
		EXPECT_FALSE(entry.is_regular_file() && entry.path().filename() != ".akko-bucket") << entry.path();
	}
}

TEST_F(BucketStoreTest, ReadersSeeTheOldObjectOrTheWholeNewOne) {
	const std::string small(1000, 'a');
	const std::string large(4 << 20, 'b');
	Put("object", small);
	std::atomic<bool> done {false};
	std::atomic<int> torn {0};
	std::atomic<int> reads {0};
	std::thread reader([&] {
		while (!done) {
			auto opened = store->Open("bkt", "object");
			auto data = ReadAll(*opened);
			if ((data != small && data != large) || opened->Version().etag != Md5Hex(data)) {
				torn++;
			}
			reads++;
		}
	});
	for (int i = 0; i < 40; i++) {
		Put("object", i % 2 ? small : large);
	}
	done = true;
	reader.join();
	EXPECT_GT(reads.load(), 0);
	EXPECT_EQ(torn.load(), 0);
	EXPECT_EQ(AllKeys(), std::vector<std::string> {"object"});
}

TEST_F(BucketStoreTest, ConditionalCommitsAreRaceFree) {
	auto if_none_match = [](const std::optional<ObjectVersion> &current) {
		if (current) {
			throw akko::Error(akko::ErrorCode::InvalidInput, "PreconditionFailed");
		}
	};
	std::atomic<int> created {0};
	std::atomic<int> refused {0};
	std::vector<std::thread> threads;
	for (int i = 0; i < 8; i++) {
		threads.emplace_back([&, i] {
			auto writer = store->Create("bkt", "lock");
			writer->Write("writer " + std::to_string(i));
			try {
				writer->Commit({}, if_none_match);
				created++;
			} catch (const akko::Error &) {
				refused++;
			}
		});
	}
	for (auto &thread : threads) {
		thread.join();
	}
	EXPECT_EQ(created.load(), 1);
	EXPECT_EQ(refused.load(), 7);

	// If-Match: the commit sees the current ETag and refuses a stale one, changing nothing.
	auto before = *Get("lock");
	auto writer = store->Create("bkt", "lock");
	writer->Write("new");
	EXPECT_THROW(writer->Commit({}, [](const std::optional<ObjectVersion> &current) {
		if (!current || current->etag != "00000000000000000000000000000000") {
			throw akko::Error(akko::ErrorCode::InvalidInput, "PreconditionFailed");
		}
	}),
	             akko::Error);
	EXPECT_EQ(Get("lock"), before);
}

TEST_F(BucketStoreTest, HostileKeysStayInsideTheBucket) {
	fs::create_directories(root / "objects" / "other");
	std::ofstream(root / "objects" / "other" / "x") << "outside";
	std::ofstream(root / "x") << "outside";
	auto snapshot = [&] {
		std::set<std::string> files;
		for (auto &entry : fs::recursive_directory_iterator(root)) {
			auto relative = entry.path().lexically_relative(root).generic_string();
			if (relative.rfind("objects/bkt", 0) != 0) {
				files.insert(relative);
			}
		}
		return files;
	};
	auto outside = snapshot();
	std::vector<std::string> keys = {"../x", "../../x", "a/../../x", "a/../../../other/x", "%2e%2e/x", "./x", "/x",
	                                 "//x", "x/", "a//b", "..", ".", ".akko-meta/..", ".akko-keys/x",
	                                 ".akko-uploads/x", ".akko-tmp", ".akko-bucket", "a/.akko-meta", "back\\slash",
	                                 "..\\..\\x", std::string(255, 's'), std::string(256, 't'),
	                                 "d/" + std::string(256, 'u') + "/e"};
	for (auto &key : keys) {
		Put(key, "value of " + key);
	}
	for (auto &key : keys) {
		EXPECT_EQ(Get(key), "value of " + key) << key;
	}
	EXPECT_EQ(snapshot(), outside);
	std::ifstream in(root / "objects" / "other" / "x");
	std::string text;
	in >> text;
	EXPECT_EQ(text, "outside");
	auto sorted = keys;
	std::sort(sorted.begin(), sorted.end());
	EXPECT_EQ(AllKeys(), sorted);
	// The natural ones are where the lake finds them; the others are not.
	EXPECT_TRUE(fs::is_regular_file(root / "objects" / "bkt" / "%2e%2e" / "x"));
	EXPECT_TRUE(fs::is_regular_file(root / "objects" / "bkt" / std::string(255, 's')));
	for (auto &key : keys) {
		EXPECT_TRUE(store->Delete("bkt", key)) << key;
		EXPECT_FALSE(store->Head("bkt", key)) << key;
	}
	EXPECT_TRUE(AllKeys().empty());
	EXPECT_EQ(snapshot(), outside);

	for (std::string bad : {std::string(), std::string(1025, 'k'), std::string("a\0b", 3), std::string("\xff\xfe")}) {
		EXPECT_THROW(store->Create("bkt", bad), akko::Error);
		EXPECT_THROW(store->Head("bkt", bad), akko::Error);
	}
	EXPECT_NO_THROW(Put(std::string(1024, 'k'), "max"));
}

TEST_F(BucketStoreTest, AnObjectAndObjectsUnderItsKeyCoexist) {
	Put("a", "file a");
	Put("a/b", "under a");
	Put("a/b/c", "under a/b");
	Put("d/e", "under d");
	Put("d", "file d");
	Put("d/", "dir marker d");
	EXPECT_EQ(AllKeys(), (std::vector<std::string> {"a", "a/b", "a/b/c", "d", "d/", "d/e"}));
	for (auto [key, value] : std::vector<std::pair<std::string, std::string>> {
	         {"a", "file a"}, {"a/b", "under a"}, {"a/b/c", "under a/b"}, {"d/e", "under d"}, {"d", "file d"}, {"d/", "dir marker d"}}) {
		EXPECT_EQ(Get(key), value) << key;
	}
	Put("d", "file d again");
	EXPECT_EQ(Get("d"), "file d again");
	EXPECT_TRUE(store->Delete("bkt", "d/e"));
	// Its emptied directory is gone, so "d" could now be a file: it is still found where it is.
	EXPECT_FALSE(fs::exists(root / "objects" / "bkt" / "d"));
	EXPECT_EQ(Get("d"), "file d again");
	EXPECT_TRUE(store->Delete("bkt", "d"));
	EXPECT_FALSE(store->Head("bkt", "d"));
	EXPECT_EQ(AllKeys(), (std::vector<std::string> {"a", "a/b", "a/b/c", "d/"}));
}

TEST_F(BucketStoreTest, EmptiedDirectoriesAreRemoved) {
	Put("x/y/z/deep", "1");
	Put("x/keep", "2");
	EXPECT_TRUE(store->Delete("bkt", "x/y/z/deep"));
	EXPECT_FALSE(fs::exists(root / "objects" / "bkt" / "x" / "y"));
	EXPECT_TRUE(fs::exists(root / "objects" / "bkt" / "x" / "keep"));
	EXPECT_TRUE(store->Delete("bkt", "x/keep"));
	EXPECT_FALSE(fs::exists(root / "objects" / "bkt" / "x"));
	EXPECT_TRUE(fs::exists(root / "objects" / "bkt"));
	EXPECT_FALSE(store->Delete("bkt", "x/keep"));
}

// S3's listing, computed the slow and obvious way over a sorted set of keys.
ListPage ModelList(const std::set<std::string> &keys, const ListRequest &request) {
	ListPage page;
	if (request.max_keys == 0) {
		return page;
	}
	size_t entries = 0;
	for (auto &key : keys) {
		if (key.rfind(request.prefix, 0) != 0 || key <= request.start_after) {
			continue;
		}
		std::string entry = key;
		bool common = false;
		if (!request.delimiter.empty()) {
			auto found = key.find(request.delimiter, request.prefix.size());
			if (found != std::string::npos) {
				entry = key.substr(0, found + request.delimiter.size());
				common = true;
			}
		}
		if (common && (entry <= request.start_after ||
		               (!page.common_prefixes.empty() && page.common_prefixes.back() == entry))) {
			continue;
		}
		if (entries == request.max_keys) {
			page.truncated = true;
			break;
		}
		if (common) {
			page.common_prefixes.push_back(entry);
		} else {
			page.objects.push_back(ObjectVersion {key, 0, 0, {}, {}});
		}
		page.last = entry;
		entries++;
	}
	return page;
}

TEST_F(BucketStoreTest, ListingMatchesABruteForceModel) {
	std::mt19937 random(42);
	const std::string alphabet = "ab/.-~";
	std::set<std::string> keys;
	auto random_text = [&](size_t max_length) {
		std::string text(1 + random() % max_length, ' ');
		for (auto &c : text) {
			c = alphabet[random() % alphabet.size()];
		}
		return text;
	};
	for (int i = 0; i < 300; i++) {
		auto key = random_text(7);
		Put(key, key);
		keys.insert(key);
	}
	for (int i = 0; i < 200; i++) {
		ListRequest request;
		request.prefix = random() % 3 ? random_text(3) : "";
		request.prefix.resize(random() % (request.prefix.size() + 1));
		switch (random() % 4) {
		case 0: request.delimiter = "/"; break;
		case 1: request.delimiter = random_text(2); break;
		default: break;
		}
		request.start_after = random() % 3 ? "" : random_text(4);
		request.max_keys = 1 + random() % 30;
		// Page through to the end, each page starting after the last one's `last`.
		for (int pages = 0; pages < 1000; pages++) {
			auto expected = ModelList(keys, request);
			auto actual = store->List("bkt", request);
			std::vector<std::string> expected_keys, actual_keys;
			for (auto &object : expected.objects) {
				expected_keys.push_back(object.key);
			}
			for (auto &object : actual.objects) {
				actual_keys.push_back(object.key);
				EXPECT_EQ(object.etag, Md5Hex(object.key));
				EXPECT_EQ(object.size, object.key.size());
			}
			std::string where = fmt::format("prefix \"{}\" delimiter \"{}\" start_after \"{}\" max {}", request.prefix,
			                                request.delimiter, request.start_after, request.max_keys);
			ASSERT_EQ(actual_keys, expected_keys) << where;
			ASSERT_EQ(actual.common_prefixes, expected.common_prefixes) << where;
			ASSERT_EQ(actual.truncated, expected.truncated) << where;
			ASSERT_EQ(actual.last, expected.last) << where;
			if (!actual.truncated) {
				break;
			}
			request.start_after = actual.last;
		}
	}
}

TEST_F(BucketStoreTest, MultipartUploads) {
	ObjectAttributes attributes;
	attributes.content_headers["content-type"] = "application/octet-stream";
	attributes.user_metadata["origin"] = "multipart";
	auto id = store->CreateUpload("bkt", "big/object", attributes);
	EXPECT_GE(id.size(), 32u);
	EXPECT_EQ(store->FindUpload("bkt", "big/object", id).attributes.user_metadata, attributes.user_metadata);
	auto part = [&](int number, const std::string &data) {
		auto writer = store->CreatePart("bkt", "big/object", id, number);
		writer->Write(data);
		return writer->Commit({}).etag;
	};
	EXPECT_EQ(part(1, "hello "), Md5Hex("hello "));
	part(2, "MULTIPART ");
	part(3, "world");
	part(2, "multipart "); // replaces the earlier part 2
	auto parts = store->ListParts("bkt", "big/object", id);
	ASSERT_EQ(parts.size(), 3u);
	EXPECT_EQ(parts[1].part_number, 2);
	EXPECT_EQ(parts[1].size, 10u);
	EXPECT_EQ(parts[1].etag, Md5Hex("multipart "));
	auto uploads = store->ListUploads("bkt", "big/");
	ASSERT_EQ(uploads.size(), 1u);
	EXPECT_EQ(uploads[0].upload_id, id);
	EXPECT_TRUE(store->ListUploads("bkt", "small").empty());
	// An upload in progress keeps its bucket.
	EXPECT_EQ(store->DeleteBucket("bkt"), DeleteBucketResult::NotEmpty);
	EXPECT_FALSE(store->Head("bkt", "big/object"));

	auto version = store->CompleteUpload("bkt", "big/object", id, {1, 2, 3});
	// hashlib: md5(md5(p1).digest() + md5(p2).digest() + md5(p3).digest()) + "-3"
	EXPECT_EQ(version.etag, "98c2f083991e2970a99c9c318427ed50-3");
	EXPECT_EQ(Get("big/object"), "hello multipart world");
	auto head = store->Head("bkt", "big/object");
	EXPECT_EQ(head->etag, "98c2f083991e2970a99c9c318427ed50-3");
	EXPECT_EQ(head->attributes.user_metadata, attributes.user_metadata);
	EXPECT_TRUE(store->ListUploads("bkt", "").empty());
	EXPECT_THROW(store->ListParts("bkt", "big/object", id), akko::Error);

	// Parts may be left out; an unknown part is refused.
	auto second = store->CreateUpload("bkt", "other", {});
	{
		auto writer = store->CreatePart("bkt", "other", second, 1);
		writer->Write("hello ");
		writer->Commit({});
		writer = store->CreatePart("bkt", "other", second, 7);
		writer->Write("world");
		writer->Commit({});
	}
	EXPECT_THROW(store->CompleteUpload("bkt", "other", second, {1, 2}), akko::Error);
	EXPECT_EQ(store->CompleteUpload("bkt", "other", second, {1, 7}).etag, "e09e4fd6265b36115fe3db32df945d84-2");

	// Abort, and ids that name nothing.
	auto third = store->CreateUpload("bkt", "gone", {});
	EXPECT_THROW(store->FindUpload("bkt", "another key", third), akko::Error);
	store->AbortUpload("bkt", "gone", third);
	for (std::string bad : {third, std::string("../../x"), std::string(32, 'z'), std::string()}) {
		try {
			store->CreatePart("bkt", "gone", bad, 1);
			FAIL() << bad;
		} catch (const akko::Error &error) {
			EXPECT_EQ(error.code, akko::ErrorCode::NotFound);
			EXPECT_NE(error.message.find("NoSuchUpload"), std::string::npos);
		}
	}
	EXPECT_FALSE(store->Head("bkt", "gone"));
	EXPECT_THROW(store->CreatePart("bkt", "x", store->CreateUpload("bkt", "x", {}), 10001), akko::Error);
}

TEST_F(BucketStoreTest, AbandonedUploadsAreAborted) {
	store->CreateUpload("bkt", "one", {});
	ASSERT_TRUE(store->CreateBucket("second"));
	store->CreateUpload("second", "two", {});
	EXPECT_EQ(store->AbortUploadsOlderThan(std::chrono::hours(1)), 0u);
	EXPECT_EQ(store->ListUploads("bkt", "").size(), 1u);
	// Initiated before one second from now: both.
	EXPECT_EQ(store->AbortUploadsOlderThan(std::chrono::seconds(-1)), 2u);
	EXPECT_TRUE(store->ListUploads("bkt", "").empty());
	EXPECT_TRUE(store->ListUploads("second", "").empty());
	EXPECT_EQ(store->DeleteBucket("second"), DeleteBucketResult::Deleted);
}

TEST_F(BucketStoreTest, Buckets) {
	EXPECT_FALSE(store->CreateBucket("bkt"));
	// A directory the lake made is a bucket too.
	auto lake = OpenLocalStore((root / "objects").string());
	lake->Put("akko-warehouse/ns/t/data/f.parquet", "parquet");
	ASSERT_TRUE(store->FindBucket("akko-warehouse"));
	EXPECT_GT(store->FindBucket("akko-warehouse")->created_unix_ms, 0);
	std::vector<std::string> names;
	for (auto &bucket : store->ListBuckets()) {
		names.push_back(bucket.name);
	}
	EXPECT_EQ(names, (std::vector<std::string> {"akko-warehouse", "bkt"}));
	for (auto bad : {"ab", "Upper", "-dash", "dash-", "a..b", "192.168.1.1", "under_score", ".akko-tmp", ""}) {
		EXPECT_THROW(store->CreateBucket(bad), akko::Error) << bad;
		EXPECT_FALSE(store->FindBucket(bad)) << bad;
	}
	EXPECT_NO_THROW(BucketStore::ValidateBucketName(std::string(63, 'a')));
	EXPECT_THROW(BucketStore::ValidateBucketName(std::string(64, 'a')), akko::Error);
	EXPECT_EQ(store->DeleteBucket("akko-warehouse"), DeleteBucketResult::NotEmpty);
	EXPECT_EQ(store->DeleteBucket("nothing"), DeleteBucketResult::NoSuchBucket);
	Put("../hashed", "x");
	EXPECT_EQ(store->DeleteBucket("bkt"), DeleteBucketResult::NotEmpty);
	store->Delete("bkt", "../hashed");
	EXPECT_EQ(store->DeleteBucket("bkt"), DeleteBucketResult::Deleted);
	EXPECT_FALSE(fs::exists(root / "objects" / "bkt"));
	EXPECT_THROW(store->Create("bkt", "x"), akko::Error);
}

TEST_F(BucketStoreTest, LakeFilesGetLazyMd5Etags) {
	auto lake = OpenLocalStore((root / "objects").string());
	lake->Put("bkt/table/data/part-0.parquet", "parquet bytes");
	std::ofstream(root / "objects" / "bkt" / "table" / "plain.bin", std::ios::binary) << "written in place";

	ListRequest request;
	auto page = store->List("bkt", request);
	ASSERT_EQ(page.objects.size(), 2u);
	EXPECT_EQ(page.objects[0].key, "table/data/part-0.parquet");
	EXPECT_EQ(page.objects[0].etag, Md5Hex("parquet bytes"));
	EXPECT_EQ(page.objects[1].etag, Md5Hex("written in place"));
	auto head = store->Head("bkt", "table/plain.bin");
	EXPECT_EQ(head->etag, Md5Hex("written in place"));
	EXPECT_TRUE(head->attributes.content_headers.empty());
	// The cached MD5 never outlives the version it describes.
	lake->Put("bkt/table/data/part-0.parquet", "other bytes!!");
	EXPECT_EQ(store->Head("bkt", "table/data/part-0.parquet")->etag, Md5Hex("other bytes!!"));
	std::ofstream(root / "objects" / "bkt" / "table" / "plain.bin", std::ios::binary | std::ios::app) << " and more";
	EXPECT_EQ(store->Head("bkt", "table/plain.bin")->etag, Md5Hex("written in place and more"));
	// And the lake never sees the store's own files.
	Put("table/uploaded", "via s3", ObjectAttributes {{{"content-type", "text/plain"}}, {}, {}});
	std::vector<std::string> lake_keys;
	for (auto &object : lake->List("bkt/")) {
		lake_keys.push_back(object.key);
	}
	EXPECT_EQ(lake_keys, (std::vector<std::string> {"bkt/table/data/part-0.parquet", "bkt/table/plain.bin", "bkt/table/uploaded"}));
	EXPECT_EQ(lake->Get("bkt/table/uploaded"), "via s3");
	// A lake delete takes the sidecar with it.
	EXPECT_TRUE(lake->Delete("bkt/table/uploaded"));
	EXPECT_FALSE(store->Head("bkt", "table/uploaded"));
	lake->Put("bkt/table/uploaded", "via the lake");
	EXPECT_TRUE(store->Head("bkt", "table/uploaded")->attributes.content_headers.empty());
	EXPECT_EQ(store->Head("bkt", "table/uploaded")->etag, Md5Hex("via the lake"));
}

TEST_F(BucketStoreTest, LargeLakeFilesKeepOneStandInEtag) {
	// 16 MiB and more: no MD5 read before answering, and listings, HEAD and GET agree, so a
	// listed ETag still matches in If-Match.
	auto lake = OpenLocalStore((root / "objects").string());
	std::string big(16 << 20, 'p');
	lake->Put("bkt/table/data/big.parquet", big);
	ListRequest request;
	auto listed = store->List("bkt", request).objects.at(0).etag;
	EXPECT_NE(listed, Md5Hex(big));
	EXPECT_TRUE(listed.ends_with("-1")) << listed;
	EXPECT_EQ(store->Head("bkt", "table/data/big.parquet")->etag, listed);
	EXPECT_EQ(store->Open("bkt", "table/data/big.parquet")->Version().etag, listed);
	// A rewrite is a new version with another stand-in.
	big.back() = 'q';
	lake->Put("bkt/table/data/big.parquet", big);
	EXPECT_NE(store->Head("bkt", "table/data/big.parquet")->etag, listed);
}

TEST_F(BucketStoreTest, StagingFilesOfCrashedWritersAreCleanedUp) {
	auto writer = store->Create("bkt", "in-flight");
	writer->Write("young");
	auto staging = root / "objects" / "bkt" / ".akko-tmp";
	std::ofstream(staging / "12345-crashed", std::ios::binary) << "partial";
	fs::last_write_time(staging / "12345-crashed", fs::file_time_type::clock::now() - std::chrono::hours(2));
	auto reopened = OpenLocalBucketStore((root / "objects").string());
	EXPECT_FALSE(fs::exists(staging / "12345-crashed"));
	// A live writer's (possibly another server's) file is younger: kept.
	writer->Commit({});
	EXPECT_EQ(Get("in-flight"), "young");
	EXPECT_TRUE(reopened->List("bkt", {}).objects.size() == 1);
}

} // namespace
