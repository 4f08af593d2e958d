package autocall

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
)

// Sign returns a CDR push's sign: the lowercase hex MD5 of the bytes of secret, then
// timestamp (as in the push, "Y-m-d H:i:s"), then data, where data is the text of the
// push's "data" member exactly as sent: the JSON object for a plain push, the Base64
// string (without its quotes) for an encrypted one. README.md has a worked example.
func Sign(secret, timestamp string, data []byte) string {
	h := md5.New()
	io.WriteString(h, secret)
	io.WriteString(h, timestamp)
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// EncryptionKey is the AES-256 key of a secret: the 32 bytes of its SHA-256.
func EncryptionKey(secret string) []byte {
	k := sha256.Sum256([]byte(secret))
	return k[:]
}

// Encrypt returns the "data" text of an encrypted push: Base64 (standard alphabet, with
// padding) of the 16-byte IV followed by the AES-256-CBC ciphertext of plaintext padded
// with PKCS#7, under EncryptionKey(secret). iv must be 16 bytes (random for each push).
func Encrypt(secret string, iv, plaintext []byte) (string, error) {
	if len(iv) != aes.BlockSize {
		return "", errors.New("autocall: the IV must be 16 bytes")
	}
	block, err := aes.NewCipher(EncryptionKey(secret))
	if err != nil {
		return "", err
	}
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	out := make([]byte, aes.BlockSize, aes.BlockSize+len(plaintext)+pad)
	copy(out, iv)
	out = append(out, plaintext...)
	out = append(out, bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out[aes.BlockSize:], out[aes.BlockSize:])
	return base64.StdEncoding.EncodeToString(out), nil
}

// Decrypt reverses Encrypt, as a receiver does: it returns the data JSON of an encrypted
// push, or an error when data is not Base64, too short, or its padding is wrong (a wrong
// secret, usually).
func Decrypt(secret, data string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, errors.New("autocall: encrypted data is not Base64")
	}
	if len(raw) < 2*aes.BlockSize || len(raw)%aes.BlockSize != 0 {
		return nil, errors.New("autocall: encrypted data has a bad length")
	}
	block, err := aes.NewCipher(EncryptionKey(secret))
	if err != nil {
		return nil, err
	}
	iv, body := raw[:aes.BlockSize], append([]byte(nil), raw[aes.BlockSize:]...)
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(body, body)
	pad := int(body[len(body)-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(body[len(body)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errors.New("autocall: bad padding after decryption (wrong secret?)")
	}
	return body[:len(body)-pad], nil
}
