// Placeholder until the sample generator lands (being written now).
int main() { return 1; }
