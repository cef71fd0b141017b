// S3 XML answers: the documents are the examples in the Amazon S3 API reference (ListObjectsV2,
// Error, CreateMultipartUpload) and what Ceph RGW sends for the same calls.
#include "common/error.hpp"
#include "objstore/s3_xml.hpp"

#include <gtest/gtest.h>

using namespace akko::objstore;

// ListObjectsV2 reference, "Example 2: Listing keys using the max-keys and continuation-token".
TEST(S3Xml, ListObjectsV2TruncatedPage) {
	auto page = ParseListObjectsV2(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name>
  <Prefix></Prefix>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <KeyCount>3</KeyCount>
  <MaxKeys>3</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>happyface.jpg</Key>
    <LastModified>2014-11-21T19:40:05.000Z</LastModified>
    <ETag>&quot;70ee1738b6b21e2c8a43f3a5ab0eee71&quot;</ETag>
    <Size>11</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>a &amp; b &lt;c&gt; &#233;&#x4E2D;.txt</Key>
    <LastModified>2009-10-12T17:50:30Z</LastModified>
    <Size>434234</Size>
  </Contents>
</ListBucketResult>)");
	ASSERT_EQ(page.objects.size(), 2u);
	EXPECT_EQ(page.objects[0].key, "happyface.jpg");
	EXPECT_EQ(page.objects[0].size, 11u);
	// date -u -d 2014-11-21T19:40:05Z +%s = 1416598805
	EXPECT_EQ(page.objects[0].modified_unix_ms, 1416598805000);
	EXPECT_EQ(page.objects[1].key, "a & b <c> \xc3\xa9\xe4\xb8\xad.txt");
	EXPECT_EQ(page.objects[1].size, 434234u);
	// date -u -d 2009-10-12T17:50:30Z +%s = 1255369830
	EXPECT_EQ(page.objects[1].modified_unix_ms, 1255369830000);
	EXPECT_TRUE(page.truncated);
	EXPECT_EQ(page.next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

// Ceph RGW's answer for an empty listing (IsTruncated after the absent Contents).
TEST(S3Xml, ListObjectsV2EmptyLastPage) {
	auto page = ParseListObjectsV2(
	    R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>lake</Name><Prefix>wh/</Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>)");
	EXPECT_TRUE(page.objects.empty());
	EXPECT_FALSE(page.truncated);
}

TEST(S3Xml, ListObjectsV2Malformed) {
	EXPECT_THROW(ParseListObjectsV2("<Error><Code>x</Code></Error>"), akko::Error);
	EXPECT_THROW(ParseListObjectsV2("<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>"), akko::Error);
	EXPECT_THROW(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"), akko::Error);
}

// Error responses reference, "Sample error response".
TEST(S3Xml, ErrorDocument) {
	auto error = ParseS3Error(R"(<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
</Error>)");
	ASSERT_TRUE(error);
	EXPECT_EQ(error->code, "NoSuchKey");
	EXPECT_EQ(error->message, "The resource you requested does not exist");
	EXPECT_FALSE(ParseS3Error("<CompleteMultipartUploadResult><ETag>x</ETag></CompleteMultipartUploadResult>"));
	EXPECT_FALSE(ParseS3Error(""));
	// Ceph RGW leaves out Message.
	auto rgw = ParseS3Error("<Error><Code>NoSuchBucket</Code><BucketName>lake</BucketName></Error>");
	ASSERT_TRUE(rgw);
	EXPECT_EQ(rgw->code, "NoSuchBucket");
	EXPECT_EQ(rgw->message, "");
}

// CreateMultipartUpload reference, "Example 1".
TEST(S3Xml, UploadId) {
	EXPECT_EQ(ParseUploadId(R"(<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
</InitiateMultipartUploadResult>)"),
	          "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
	EXPECT_THROW(ParseUploadId("<InitiateMultipartUploadResult/>"), akko::Error);
}

TEST(S3Xml, CompleteMultipartUploadBody) {
	EXPECT_EQ(CompleteMultipartUploadXml({"\"a54357aff0632cce46d942af68356b38\"", "\"0c78aef83f66abc1fa1e8477f296d394\""}),
	          "<CompleteMultipartUpload>"
	          "<Part><PartNumber>1</PartNumber><ETag>&quot;a54357aff0632cce46d942af68356b38&quot;</ETag></Part>"
	          "<Part><PartNumber>2</PartNumber><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;</ETag></Part>"
	          "</CompleteMultipartUpload>");
}

TEST(S3Xml, Iso8601) {
	EXPECT_EQ(ParseIso8601Millis("1970-01-01T00:00:00.001Z"), 1);
	EXPECT_EQ(ParseIso8601Millis("2000-02-29T23:59:59.5Z"), 951868799500);
	EXPECT_FALSE(ParseIso8601Millis("2000-02-29 23:59:59Z"));
	EXPECT_FALSE(ParseIso8601Millis("2000-02-29T23:59:59+01:00"));
}
