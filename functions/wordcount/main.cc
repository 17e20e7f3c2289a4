// wordcount - a novo function in C++: POST a text, get its most frequent
// words back.
//
//   curl --data-binary @README.md 127.0.0.1:8080/fn/wordcount?top=5
//
// Any language works: what novod runs is a static executable that reads
// the CGI variables and stdin and writes a CGI answer on stdout.
// Built by functions/wordcount/rules.mk with g++ -static.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

// The value of key in the query string, or "" when absent.
std::string query_param(const char *qs, const std::string &key)
{
	std::string q = qs ? qs : "";
	size_t pos = 0;

	while (pos <= q.size()) {
		size_t end = q.find('&', pos);
		std::string kv = q.substr(pos, end == std::string::npos ? end : end - pos);

		if (kv.compare(0, key.size() + 1, key + "=") == 0)
			return kv.substr(key.size() + 1);
		if (end == std::string::npos)
			break;
		pos = end + 1;
	}
	return "";
}

void bad_request(const std::string &why)
{
	std::cout << "Status: 400 Bad Request\r\n"
		  << "Content-Type: text/plain\r\n\r\n"
		  << "wordcount: " << why << "\n";
}

} // namespace

int main()
{
	std::ios::sync_with_stdio(false); // plain buffered I/O: much faster
	std::string top_s = query_param(std::getenv("QUERY_STRING"), "top");
	long top = 10;

	if (!top_s.empty()) {
		char *end;
		top = std::strtol(top_s.c_str(), &end, 10);
		if (*end || top < 1 || top > 1000) {
			bad_request("top must be 1..1000");
			return 0;
		}
	}

	// Exactly CONTENT_LENGTH bytes of body (RFC 3875 4.2).
	const char *cl = std::getenv("CONTENT_LENGTH");
	long left = cl && *cl ? std::strtol(cl, nullptr, 10) : 0;
	std::map<std::string, long> counts;
	std::string word;
	long total = 0;

	for (int c; left > 0 && (c = std::cin.get()) != EOF; left--) {
		if (std::isalnum(c)) {
			word += static_cast<char>(std::tolower(c));
		} else if (!word.empty()) {
			counts[word]++;
			total++;
			word.clear();
		}
	}
	if (!word.empty()) {
		counts[word]++;
		total++;
	}

	std::vector<std::pair<std::string, long>> sorted(counts.begin(), counts.end());
	std::stable_sort(sorted.begin(), sorted.end(),
			 [](const auto &a, const auto &b) { return a.second > b.second; });
	if (sorted.size() > static_cast<size_t>(top))
		sorted.resize(static_cast<size_t>(top));

	std::cout << "Content-Type: text/plain\r\n\r\n"
		  << total << " words, " << counts.size() << " different\n";
	for (const auto &wc : sorted)
		std::cout << wc.second << "\t" << wc.first << "\n";
	return std::cout.flush() ? 0 : 1;
}
