"""generation stage: sampling documents under the decoder's mask."""
