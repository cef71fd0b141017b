#include "auth/scram.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

using akko::auth::ScramServer;
using akko::auth::ScramVerifier;

namespace {

// RFC 7677, section 3: user "user", password "pencil".
constexpr const char *kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr const char *kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr const char *kServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                     "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr const char *kClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                     "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr const char *kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
constexpr const char *kCombinedNonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
// The RFC's salt and password hashed independently (Python hashlib) into pg_authid's format.
constexpr const char *kPencilVerifier = "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"
                                        "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
                                        "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

// Written by PostgreSQL 15 (SET password_encryption = 'scram-sha-256'; CREATE ROLE ...
// PASSWORD ...; SELECT rolpassword FROM pg_authid).
constexpr const char *kPostgresPencil = "SCRAM-SHA-256$4096:HMMXRj4GXPK+vxHBTIni6w==$"
                                        "l9ErkQuvI4BFtgTQogyIXnodlMVMUcaubL+L/f4nans=:"
                                        "Na4eTCZYMp47u3HekA53Uyt8x8kQF0L3aFx3al8CUNA=";
constexpr const char *kPostgresUnicode = "SCRAM-SHA-256$4096:pABdgvrmr0wzg+f9uXT0uA==$"
                                         "B0A+2b3u0beCcW02nqnNXGZp7HVwCBjxofz8eW8ngoo=:"
                                         "YLBOp1/RNsKM5WCC4gre3GhmKidCZj5GlWxObY83ysA=";
constexpr const char *kUnicodePassword = "correct horse battery staple \xc3\xbc";

ScramVerifier PencilVerifier() {
	auto verifier = ScramVerifier::Parse(kPencilVerifier);
	EXPECT_TRUE(verifier.has_value());
	return *verifier;
}

std::string Base64(const std::string &bytes) {
	std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
	int length = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
	                             reinterpret_cast<const unsigned char *>(bytes.data()), static_cast<int>(bytes.size()));
	out.resize(length);
	return out;
}

std::string Hmac(const std::string &key, const std::string &data) {
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int length = 0;
	HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char *>(data.data()),
	     data.size(), out, &length);
	return std::string(reinterpret_cast<char *>(out), length);
}

// The client side of RFC 5802, written independently of the server, for exchanges the
// RFC has no vector for.
std::string ClientProof(const std::string &password, const ScramVerifier &verifier, const std::string &auth_message) {
	unsigned char salted[32];
	PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
	                  reinterpret_cast<const unsigned char *>(verifier.salt.data()),
	                  static_cast<int>(verifier.salt.size()), verifier.iterations, EVP_sha256(), 32, salted);
	auto client_key = Hmac(std::string(reinterpret_cast<char *>(salted), 32), "Client Key");
	unsigned char stored_key[32];
	SHA256(reinterpret_cast<const unsigned char *>(client_key.data()), client_key.size(), stored_key);
	auto signature = Hmac(std::string(reinterpret_cast<char *>(stored_key), 32), auth_message);
	std::string proof(32, '\0');
	for (size_t i = 0; i < 32; i++) {
		proof[i] = char(client_key[i] ^ signature[i]);
	}
	return Base64(proof);
}

// Runs a whole exchange with the client above; returns the server's final answer.
std::optional<std::string> Exchange(ScramServer &server, const std::string &gs2_header, const std::string &password,
                                    const ScramVerifier &client_view) {
	std::string bare = "n=,r=clientnonce";
	auto server_first = server.ClientFirst(gs2_header + bare);
	if (!server_first) {
		return std::nullopt;
	}
	auto nonce = server_first->substr(2, server_first->find(',') - 2);
	auto without_proof = "c=" + Base64(gs2_header) + ",r=" + nonce;
	auto proof = ClientProof(password, client_view, bare + "," + *server_first + "," + without_proof);
	return server.ClientFinal(without_proof + ",p=" + proof);
}

} // namespace

TEST(ScramVerifierTest, MatchesRfc7677Keys) {
	auto verifier = PencilVerifier();
	EXPECT_EQ(verifier.iterations, 4096);
	EXPECT_EQ(verifier.salt.size(), 16u);
	EXPECT_EQ(ScramVerifier::FromPassword("pencil", verifier.salt, 4096).ToString(), kPencilVerifier);
	EXPECT_TRUE(verifier.CheckPassword("pencil"));
	EXPECT_FALSE(verifier.CheckPassword("pencil "));
	EXPECT_FALSE(verifier.CheckPassword(""));
}

TEST(ScramVerifierTest, AcceptsWhatPostgresWrites) {
	auto cases = {std::pair {kPostgresPencil, "pencil"}, std::pair {kPostgresUnicode, kUnicodePassword}};
	for (auto [text, password] : cases) {
		auto verifier = ScramVerifier::Parse(text);
		ASSERT_TRUE(verifier.has_value()) << text;
		EXPECT_EQ(verifier->ToString(), text);
		EXPECT_TRUE(verifier->CheckPassword(password)) << text;
		EXPECT_FALSE(verifier->CheckPassword("Pencil")) << text;
		// Re-deriving with PostgreSQL's salt gives PostgreSQL's keys.
		EXPECT_EQ(ScramVerifier::FromPassword(password, verifier->salt, verifier->iterations).ToString(), text);
	}
}

TEST(ScramVerifierTest, FreshVerifiersRoundTrip) {
	auto first = ScramVerifier::FromPassword("s3cret");
	auto second = ScramVerifier::FromPassword("s3cret");
	EXPECT_EQ(first.salt.size(), 16u);
	EXPECT_EQ(first.iterations, 4096);
	EXPECT_NE(first.salt, second.salt);
	auto parsed = ScramVerifier::Parse(first.ToString());
	ASSERT_TRUE(parsed.has_value());
	EXPECT_EQ(parsed->salt, first.salt);
	EXPECT_EQ(parsed->stored_key, first.stored_key);
	EXPECT_EQ(parsed->server_key, first.server_key);
	EXPECT_TRUE(parsed->CheckPassword("s3cret"));
	EXPECT_EQ(ScramVerifier::FromPassword("x", 1000).iterations, 1000);
}

TEST(ScramVerifierTest, RejectsMalformedText) {
	const std::string keys = "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
	                         "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";
	for (const std::string &text : {
	         std::string(),
	         std::string("md5c4ca4238a0b923820dcc509a6f75849b"),
	         std::string("SCRAM-SHA-256$"),
	         std::string("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ=="),
	         "SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$" + keys,
	         "SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$" + keys,
	         "SCRAM-SHA-256$-1:W22ZaJ0SNY7soEsUEjb6gQ==$" + keys,
	         "SCRAM-SHA-256$4096x:W22ZaJ0SNY7soEsUEjb6gQ==$" + keys,
	         "SCRAM-SHA-256$:W22ZaJ0SNY7soEsUEjb6gQ==$" + keys,
	         "SCRAM-SHA-256$4096:$" + keys,
	         "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ=$" + keys,
	         "SCRAM-SHA-256$4096:W22ZaJ0SNY7s*EsUEjb6gQ==$" + keys,
	         "SCRAM-SHA-256$4096W22ZaJ0SNY7soEsUEjb6gQ==$" + keys,
	         std::string("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:AAAA"),
	         std::string("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="),
	     }) {
		EXPECT_FALSE(ScramVerifier::Parse(text).has_value()) << text;
	}
}

TEST(ScramServerTest, Rfc7677Exchange) {
	ScramServer server("user", PencilVerifier(), kServerNonce);
	EXPECT_EQ(server.ClientFirst(kClientFirst), std::optional<std::string>(kServerFirst));
	EXPECT_EQ(server.ClientFinal(kClientFinal), std::optional<std::string>(kServerFinal));
}

TEST(ScramServerTest, WrongPasswordFails) {
	auto verifier = PencilVerifier();
	auto other = ScramVerifier::FromPassword("crayon", verifier.salt, 4096);
	ScramServer server("user", other, kServerNonce);
	ASSERT_EQ(server.ClientFirst(kClientFirst), std::optional<std::string>(kServerFirst));
	EXPECT_FALSE(server.ClientFinal(kClientFinal).has_value());

	ScramServer random_nonce("user", verifier);
	EXPECT_FALSE(Exchange(random_nonce, "n,,", "crayon", verifier).has_value());
}

TEST(ScramServerTest, RandomNonceExchange) {
	auto verifier = ScramVerifier::FromPassword("hunter2");
	ScramServer server("alice", verifier);
	auto server_first = server.ClientFirst("n,,n=,r=clientnonce");
	ASSERT_TRUE(server_first.has_value());
	// The client's nonce, then 18 random bytes in base64.
	auto nonce = server_first->substr(2, server_first->find(',') - 2);
	EXPECT_EQ(nonce.size(), std::string("clientnonce").size() + 24);
	EXPECT_TRUE(nonce.starts_with("clientnonce"));

	ScramServer fresh("alice", verifier);
	auto final_message = Exchange(fresh, "n,,", "hunter2", verifier);
	ASSERT_TRUE(final_message.has_value());
	EXPECT_TRUE(final_message->starts_with("v="));
}

TEST(ScramServerTest, AcceptsClientThatCouldBind) {
	auto verifier = ScramVerifier::FromPassword("hunter2");
	ScramServer server("alice", verifier);
	EXPECT_TRUE(Exchange(server, "y,,", "hunter2", verifier).has_value());
}

TEST(ScramServerTest, UnknownUserRunsToTheEndAndFails) {
	ScramServer server("ghost", std::nullopt, kServerNonce);
	auto server_first = server.ClientFirst(kClientFirst);
	ASSERT_TRUE(server_first.has_value());
	EXPECT_TRUE(server_first->starts_with(std::string("r=") + kCombinedNonce + ",s="));
	EXPECT_TRUE(server_first->ends_with(",i=4096"));
	EXPECT_FALSE(server.ClientFinal(kClientFinal).has_value());

	// The made-up salt stays the same for one name, as a real user's would.
	ScramServer again("ghost", std::nullopt, kServerNonce);
	EXPECT_EQ(again.ClientFirst(kClientFirst), server_first);
	ScramServer other("phantom", std::nullopt, kServerNonce);
	EXPECT_NE(other.ClientFirst(kClientFirst), server_first);
}

TEST(ScramServerTest, MalformedClientFirstIsRefused) {
	for (const std::string &message : {
	         std::string(),
	         std::string("n"),
	         std::string("n,"),
	         std::string("n,,"),
	         std::string("p=tls-server-end-point,,n=user,r=abc"),
	         std::string("n,a=admin,n=user,r=abc"),
	         std::string("x,,n=user,r=abc"),
	         std::string("n,,m=ext,n=user,r=abc"),
	         std::string("n,,r=abc"),
	         std::string("n,,n=user"),
	         std::string("n,,n=user,r="),
	         std::string("n,,n=user,x=abc"),
	         std::string("n,,n=user,r=ab\x01" "c"),
	         std::string("n,,n=user,r=ab c"),
	         std::string("n,,n=user,r=ab\0c", 16),
	     }) {
		ScramServer server("user", PencilVerifier(), kServerNonce);
		std::optional<std::string> answer;
		EXPECT_NO_THROW(answer = server.ClientFirst(message));
		EXPECT_FALSE(answer.has_value()) << message;
		// The exchange is over: even a correct message now fails.
		EXPECT_FALSE(server.ClientFirst(kClientFirst).has_value());
	}
}

TEST(ScramServerTest, MalformedClientFinalIsRefused) {
	const std::string nonce = kCombinedNonce;
	const std::string proof = "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
	for (const std::string &message : {
	         std::string(),
	         std::string("c=biws"),
	         "c=biws,r=" + nonce,
	         "c=biws,r=" + nonce + ",p=",
	         "c=biws,r=" + nonce + ",p=!!!!",
	         "c=biws,r=" + nonce + ",p=AAAA",
	         "c=biws,r=" + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ",
	         "c=eSws,r=" + nonce + "," + proof,
	         "c=cD10bHMtc2VydmVyLWVuZC1wb2ludCws,r=" + nonce + "," + proof,
	         "c=biws,r=rOprNGfwEbeRWgbNEkqO," + proof,
	         "c=biws,r=" + nonce + "x," + proof,
	         "r=" + nonce + "," + proof,
	         "r=" + nonce + ",c=biws," + proof,
	         "c=biws," + proof,
	         proof,
	     }) {
		ScramServer server("user", PencilVerifier(), kServerNonce);
		ASSERT_TRUE(server.ClientFirst(kClientFirst).has_value());
		std::optional<std::string> answer;
		EXPECT_NO_THROW(answer = server.ClientFinal(message));
		EXPECT_FALSE(answer.has_value()) << message;
	}
}

TEST(ScramServerTest, MessagesOutOfOrderAreRefused) {
	ScramServer final_first("user", PencilVerifier(), kServerNonce);
	EXPECT_FALSE(final_first.ClientFinal(kClientFinal).has_value());
	EXPECT_FALSE(final_first.ClientFirst(kClientFirst).has_value());

	ScramServer twice("user", PencilVerifier(), kServerNonce);
	ASSERT_TRUE(twice.ClientFirst(kClientFirst).has_value());
	EXPECT_FALSE(twice.ClientFirst(kClientFirst).has_value());
	EXPECT_FALSE(twice.ClientFinal(kClientFinal).has_value());

	ScramServer replay("user", PencilVerifier(), kServerNonce);
	ASSERT_TRUE(replay.ClientFirst(kClientFirst).has_value());
	ASSERT_TRUE(replay.ClientFinal(kClientFinal).has_value());
	EXPECT_FALSE(replay.ClientFinal(kClientFinal).has_value());
}
