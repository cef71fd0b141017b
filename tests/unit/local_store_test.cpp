// The local-directory object store: atomic puts, ranged gets, ordered listing, and keys
// that cannot leave their directory.
#include "common/error.hpp"
#include "objstore/store.hpp"

#include <atomic>
#include <filesystem>
#include <gtest/gtest.h>
#include <thread>

namespace fs = std::filesystem;
using akko::objstore::ByteRange;
using akko::objstore::OpenLocalStore;

namespace {

class LocalStoreTest : public ::testing::Test {
protected:
	void SetUp() override {
		root = fs::temp_directory_path() / ("akko-store-" + std::to_string(::getpid()) + "-" +
		                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
		fs::remove_all(root);
		store = OpenLocalStore((root / "warehouse").string());
	}
	void TearDown() override {
		store.reset();
		fs::remove_all(root);
	}

	fs::path root;
	std::unique_ptr<akko::objstore::Store> store;
};

TEST_F(LocalStoreTest, PutGetHeadDelete) {
	store->Put("akko-warehouse/banking/data/part-0.parquet", "hello world");
	EXPECT_EQ(store->Get("akko-warehouse/banking/data/part-0.parquet"), "hello world");
	auto info = store->Head("akko-warehouse/banking/data/part-0.parquet");
	ASSERT_TRUE(info);
	EXPECT_EQ(info->size, 11u);
	EXPECT_GT(info->modified_unix_ms, 0);
	EXPECT_TRUE(fs::is_regular_file(root / "warehouse" / "akko-warehouse" / "banking" / "data" / "part-0.parquet"));
	EXPECT_TRUE(store->Delete("akko-warehouse/banking/data/part-0.parquet"));
	EXPECT_FALSE(store->Delete("akko-warehouse/banking/data/part-0.parquet"));
	EXPECT_FALSE(store->Head("akko-warehouse/banking/data/part-0.parquet"));
	try {
		store->Get("akko-warehouse/banking/data/part-0.parquet");
		FAIL() << "a deleted object was read";
	} catch (const akko::Error &error) {
		EXPECT_EQ(error.code, akko::ErrorCode::NotFound);
	}
}

TEST_F(LocalStoreTest, RangesAreClampedToTheObject) {
	store->Put("b/k", "0123456789");
	EXPECT_EQ(store->Get("b/k", ByteRange {2, 3}), "234");
	EXPECT_EQ(store->Get("b/k", ByteRange {7, std::nullopt}), "789");
	EXPECT_EQ(store->Get("b/k", ByteRange {8, 100}), "89");
	EXPECT_EQ(store->Get("b/k", ByteRange {50, 5}), "");
	store->Put("b/empty", "");
	EXPECT_EQ(store->Get("b/empty"), "");
}

TEST_F(LocalStoreTest, ListIsOrderedByKeyAndFiltersByPrefix) {
	for (auto key : {"b/z", "b/a/2", "b/a/10", "b/ab", "c/x", "b/a/1"}) {
		store->Put(key, key);
	}
	std::vector<std::string> keys;
	for (auto &object : store->List("b/a")) {
		keys.push_back(object.key);
	}
	EXPECT_EQ(keys, (std::vector<std::string> {"b/a/1", "b/a/10", "b/a/2", "b/ab"}));
	EXPECT_EQ(store->List("b/a/").size(), 3u);
	EXPECT_EQ(store->List("").size(), 6u);
	EXPECT_TRUE(store->List("nothing/here").empty());
}

TEST_F(LocalStoreTest, HostileKeysAreRefusedAndChangeNothing) {
	for (std::string key : {std::string("../escape"), std::string("b/../../escape"), std::string("b/./x"), std::string("/abs"),
	                        std::string("b//x"), std::string("b/x/"), std::string("b\\x"), std::string("b/x\0y", 5),
	                        std::string(1025, 'k'), std::string("b/\xff\xfe"), std::string("b/.akko-tmp-1"), std::string("")}) {
		EXPECT_THROW(store->Put(key, "x"), akko::Error) << key;
		EXPECT_THROW(store->Get(key), akko::Error) << key;
	}
	EXPECT_TRUE(store->List("").empty());
	EXPECT_FALSE(fs::exists(root / "escape"));
	// Percent-encoded dots are an ordinary name, inside the store.
	store->Put("b/%2e%2e/x", "fine");
	EXPECT_EQ(store->Get("b/%2e%2e/x"), "fine");
	EXPECT_TRUE(fs::exists(root / "warehouse" / "b" / "%2e%2e" / "x"));
	store->Put("b/file", "x");
	EXPECT_THROW(store->Put("b/file/under", "y"), akko::Error);
	EXPECT_EQ(store->Get("b/file"), "x");
	store->Put("b/\xc3\xa9t\xc3\xa9", "utf8");
	EXPECT_EQ(store->Get("b/\xc3\xa9t\xc3\xa9"), "utf8");
}

TEST_F(LocalStoreTest, ReadersSeeTheOldObjectOrTheWholeNewOne) {
	const std::string small(1000, 'a');
	const std::string large(4 << 20, 'b');
	store->Put("b/object", small);
	std::atomic<bool> done {false};
	std::atomic<int> torn {0};
	std::atomic<int> reads {0};
	std::thread reader([&] {
		while (!done) {
			auto data = store->Get("b/object");
			if (data != small && data != large) {
				torn++;
			}
			reads++;
		}
	});
	for (int i = 0; i < 40; i++) {
		store->Put("b/object", i % 2 ? small : large);
	}
	done = true;
	reader.join();
	EXPECT_GT(reads.load(), 0);
	EXPECT_EQ(torn.load(), 0);
	// No temporary file is left behind or listed.
	EXPECT_EQ(store->List("b/").size(), 1u);
	size_t files = 0;
	for (auto &entry : fs::recursive_directory_iterator(root)) {
		files += entry.is_regular_file();
	}
	EXPECT_EQ(files, 1u);
}

} // namespace
