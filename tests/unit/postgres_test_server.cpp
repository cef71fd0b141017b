#include "postgres_test_server.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <random>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace akko::test {

namespace {

const std::filesystem::path kPostgresBin = "/usr/lib/postgresql/15/bin";

std::unique_ptr<PostgresTestServer> instance;
std::string start_failure;

class StopPostgresWhenDone : public testing::Environment {
public:
	void TearDown() override {
		if (instance) {
			instance->Stop();
		}
	}
};

// Linked in only by the test binaries that use the server, which is when it is wanted.
[[maybe_unused]] testing::Environment *const stop_postgres = testing::AddGlobalTestEnvironment(new StopPostgresWhenDone);

int FreePort() {
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in address {};
	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t length = sizeof(address);
	if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0 ||
	    getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
		throw std::runtime_error(fmt::format("no free port: {}", std::strerror(errno)));
	}
	close(fd);
	return ntohs(address.sin_port);
}

std::string RandomPassword() {
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	std::random_device random;
	std::string password;
	for (int i = 0; i < 24; i++) {
		password += alphabet[random() % (sizeof(alphabet) - 1)];
	}
	return password;
}

std::string ReadFile(const std::filesystem::path &path) {
	std::ifstream file(path);
	return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

struct PostgresUser {
	uid_t uid;
	gid_t gid;
};

PostgresUser LookUpPostgresUser() {
	auto *entry = getpwnam("postgres");
	if (!entry) {
		throw std::runtime_error("running as root needs the `postgres` user of Debian's postgresql package");
	}
	return {entry->pw_uid, entry->pw_gid};
}

PGconn *Connect(const std::string &uri) {
	auto *conn = PQconnectdb(uri.c_str());
	if (PQstatus(conn) != CONNECTION_OK) {
		std::string reason = PQerrorMessage(conn);
		PQfinish(conn);
		throw std::runtime_error("cannot connect to the test PostgreSQL: " + reason);
	}
	return conn;
}

} // namespace

PostgresTestServer &PostgresTestServer::Instance() {
	static std::mutex starting;
	std::lock_guard<std::mutex> guard(starting);
	if (!instance) {
		// One attempt per binary: when it failed, every test that needs it fails fast with why.
		if (!start_failure.empty()) {
			throw std::runtime_error(start_failure);
		}
		try {
			instance.reset(new PostgresTestServer());
		} catch (const std::exception &error) {
			start_failure = std::string("PostgreSQL 15 did not start: ") + error.what();
			throw std::runtime_error(start_failure);
		}
	}
	return *instance;
}

PostgresTestServer::PostgresTestServer() : password(RandomPassword()) {
	std::string pattern = (std::filesystem::temp_directory_path() / "akko_postgres_XXXXXX").string();
	if (!mkdtemp(pattern.data())) {
		throw std::runtime_error(fmt::format("mkdtemp: {}", std::strerror(errno)));
	}
	directory = pattern;
	auto password_file = directory / "password";
	std::ofstream(password_file) << password << "\n";
	if (geteuid() == 0) {
		// PostgreSQL refuses to run as root; its user must own the directory.
		auto user = LookUpPostgresUser();
		if (chown(directory.c_str(), user.uid, user.gid) != 0 || chown(password_file.c_str(), user.uid, user.gid) != 0) {
			throw std::runtime_error(fmt::format("chown: {}", std::strerror(errno)));
		}
	}
	chmod(directory.c_str(), 0755);
	// Host (TCP) connections need the password, as a production server would; the Unix socket
	// is only used to create databases.
	Run({(kPostgresBin / "initdb").string(), "-D", (directory / "data").string(), "-U", "postgres",
	     "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + password_file.string(), "-E", "UTF8",
	     "--locale=C"});
	std::string last_failure;
	// Another process may take the free port before the server binds it; a new one then.
	for (int attempt = 0; attempt < 3 && !running; attempt++) {
		port = FreePort();
		try {
			Run({(kPostgresBin / "pg_ctl").string(), "-D", (directory / "data").string(), "-w", "-t", "120", "-l",
			     (directory / "log").string(), "-o",
			     fmt::format("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", port,
			                 directory.string()),
			     "start"});
			running = true;
		} catch (const std::exception &error) {
			last_failure = error.what() + ReadFile(directory / "log");
		}
	}
	if (!running) {
		throw std::runtime_error(last_failure);
	}
}

PostgresTestServer::~PostgresTestServer() {
	Stop();
}

void PostgresTestServer::Run(const std::vector<std::string> &args) {
	std::vector<std::string> command;
	if (geteuid() == 0) {
		command = {"/usr/sbin/runuser", "-u", "postgres", "--"};
	}
	command.insert(command.end(), args.begin(), args.end());
	auto output = directory / "command.out";
	pid_t pid = fork();
	if (pid < 0) {
		throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
	}
	if (pid == 0) {
		int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		std::vector<char *> argv;
		for (auto &arg : command) {
			argv.push_back(arg.data());
		}
		argv.push_back(nullptr);
		execv(argv[0], argv.data());
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		throw std::runtime_error(fmt::format("{} failed: {}", fmt::join(command, " "), ReadFile(output)));
	}
}

std::string PostgresTestServer::CreateDatabase() {
	std::lock_guard<std::mutex> guard(lock);
	auto name = fmt::format("akko_test_{}", ++databases);
	ExecutePostgres(fmt::format("host={} port={} user=postgres dbname=postgres", directory.string(), port),
	                fmt::format("CREATE DATABASE {}", name));
	return fmt::format("postgresql://postgres:{}@127.0.0.1:{}/{}", password, port, name);
}

void PostgresTestServer::Stop() {
	if (running) {
		running = false;
		Run({(kPostgresBin / "pg_ctl").string(), "-D", (directory / "data").string(), "-m", "immediate", "-w",
		     "stop"});
	}
	if (!directory.empty()) {
		std::error_code ignored;
		std::filesystem::remove_all(directory, ignored);
		directory.clear();
	}
}

void ExecutePostgres(const std::string &uri, const std::string &sql) {
	auto *conn = Connect(uri);
	auto *result = PQexec(conn, sql.c_str());
	auto status = PQresultStatus(result);
	std::string reason = PQerrorMessage(conn);
	PQclear(result);
	PQfinish(conn);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		throw std::runtime_error(fmt::format("{}: {}", sql, reason));
	}
}

int64_t QueryPostgresInteger(const std::string &uri, const std::string &sql) {
	auto *conn = Connect(uri);
	auto *result = PQexec(conn, sql.c_str());
	bool ok = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0;
	std::string value = ok ? PQgetvalue(result, 0, 0) : "";
	std::string reason = PQerrorMessage(conn);
	PQclear(result);
	PQfinish(conn);
	if (!ok) {
		throw std::runtime_error(fmt::format("{}: {}", sql, reason.empty() ? "no rows" : reason));
	}
	return value == "t" ? 1 : value == "f" ? 0 : std::stoll(value);
}

std::string FreshMetastoreConfig(MetastoreBackend backend) {
	return backend == MetastoreBackend::Postgres ? PostgresTestServer::Instance().CreateDatabase() : "";
}

} // namespace akko::test
